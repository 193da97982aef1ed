"""``tf.image.non_max_suppression`` and its variants: TensorFlow's greedy selection
(``NonMaxSuppressionV3/V4/V5`` on the CPU), in float32 as TensorFlow computes it."""
import heapq
import math

import numpy as np

from .errors import InvalidArgumentError
from .ops.core import as_tensor
from .tensor import Tensor

F32 = np.float32


def _args(boxes, scores, max_output_size, iou_threshold, score_threshold, fn):
    b = np.asarray(as_tensor(boxes)._v, F32)
    s = np.asarray(as_tensor(scores)._v, F32)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"{fn}: boxes must have shape [num_boxes, 4], got {b.shape}")
    if s.shape != (b.shape[0],):
        raise ValueError(f"{fn}: scores must have shape [num_boxes] = [{b.shape[0]}], got {s.shape}")
    m = max_output_size.numpy() if isinstance(max_output_size, Tensor) else max_output_size
    if isinstance(m, (bool, np.bool_)) or np.ndim(m) or not np.issubdtype(np.asarray(m).dtype, np.integer):
        raise TypeError(f"{fn}: max_output_size must be a scalar int, got {max_output_size!r}")
    if m < 0:
        raise InvalidArgumentError(f"{fn}: max_output_size must be non-negative, got {int(m)}")
    iou = F32(iou_threshold.numpy() if isinstance(iou_threshold, Tensor) else iou_threshold)
    if not 0 <= iou <= 1:
        raise InvalidArgumentError(f"{fn}: iou_threshold must be in [0, 1], got {float(iou)}")
    st = F32(score_threshold.numpy() if isinstance(score_threshold, Tensor) else score_threshold)
    return b, s, int(m), iou, st


def _iou(b, i, j):
    """TensorFlow's IOU of boxes i and j: corners in either order; an empty box overlaps nothing."""
    yi0, yi1 = min(b[i, 0], b[i, 2]), max(b[i, 0], b[i, 2])
    xi0, xi1 = min(b[i, 1], b[i, 3]), max(b[i, 1], b[i, 3])
    yj0, yj1 = min(b[j, 0], b[j, 2]), max(b[j, 0], b[j, 2])
    xj0, xj1 = min(b[j, 1], b[j, 3]), max(b[j, 1], b[j, 3])
    area_i, area_j = (yi1 - yi0) * (xi1 - xi0), (yj1 - yj0) * (xj1 - xj0)
    if area_i <= 0 or area_j <= 0:
        return F32(0)
    inter = max(min(yi1, yj1) - max(yi0, yj0), F32(0)) * max(min(xi1, xj1) - max(xi0, xj0), F32(0))
    return inter / (area_i + area_j - inter)


def _select(b, s, m, iou, st, sigma=F32(0)):
    """TensorFlow's loop: candidates above ``st`` by score (ties: lower index first); each is checked
    against the boxes selected since it was last checked; hard NMS drops it when IOU > ``iou``, soft
    NMS (``sigma > 0``) scales its score by exp(-IOU^2 / (2 sigma)) and puts it back in the queue."""
    scale = F32(-0.5) / sigma if sigma > 0 else F32(0)
    heap = [(-float(s[i]), i, s[i], 0) for i in range(len(s)) if s[i] > st]
    heapq.heapify(heap)
    sel, sel_scores = [], []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while len(sel) < m and heap:
            _, i, score, begin = heapq.heappop(heap)
            original = score
            hard = False
            for j in range(len(sel) - 1, begin - 1, -1):
                sim = _iou(b, i, sel[j])
                if sigma > 0:
                    score = score * (F32(math.exp(scale * sim * sim)) if sim <= iou else F32(0))
                elif sim > iou:
                    hard = True
                    break
                if score <= st:
                    break
            if hard:
                continue
            if score == original:
                sel.append(i)
                sel_scores.append(score)
            elif score > st:
                heapq.heappush(heap, (-float(score), i, score, len(sel)))
    return np.asarray(sel, np.int32), np.asarray(sel_scores, F32)


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                        name=None):
    """Indices (int32) of at most ``max_output_size`` boxes, greedily by descending score, each
    overlapping every box chosen before it by IOU <= ``iou_threshold``; boxes scoring <=
    ``score_threshold`` are never chosen. Boxes are ``[y1, x1, y2, x2]`` (either corner first)."""
    b, s, m, iou, st = _args(boxes, scores, max_output_size, iou_threshold, score_threshold,
                             "non_max_suppression")
    return Tensor(_select(b, s, m, iou, st)[0])


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0, name=None):
    """``(selected_indices, selected_scores)``; ``soft_nms_sigma > 0`` decays the scores of
    overlapping boxes instead of dropping them (Soft-NMS, Bodla et al.)."""
    fn = "non_max_suppression_with_scores"
    b, s, m, iou, st = _args(boxes, scores, max_output_size, iou_threshold, score_threshold, fn)
    sigma = F32(soft_nms_sigma)
    if sigma < 0:
        raise InvalidArgumentError(f"{fn}: soft_nms_sigma must be non-negative, got {float(sigma)}")
    sel, sc = _select(b, s, m, iou, st, sigma)
    return Tensor(sel), Tensor(sc)


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5,
                               score_threshold=float("-inf"), pad_to_max_output_size=False, name=None,
                               sorted_input=False, canonicalized_coordinates=False, tile_size=512):
    """``(selected_indices, valid_outputs)``: with ``pad_to_max_output_size`` the indices are padded
    with zeros to ``max_output_size``. Unbatched ``[num_boxes, 4]`` boxes only."""
    fn = "non_max_suppression_padded"
    b, s, m, iou, st = _args(boxes, scores, max_output_size, iou_threshold, score_threshold, fn)
    sel = _select(b, s, m, iou, st)[0]
    valid = np.int32(sel.size)
    if pad_to_max_output_size:
        sel = np.concatenate([sel, np.zeros(m - sel.size, np.int32)])
    return Tensor(sel), Tensor(valid)


def _positive_int(value, fn, arg):
    v = value.numpy() if isinstance(value, Tensor) else value
    if isinstance(v, (bool, np.bool_)) or np.ndim(v) or not np.issubdtype(np.asarray(v).dtype, np.integer):
        raise TypeError(f"{fn}: {arg} must be a scalar int, got {value!r}")
    if v <= 0:
        raise InvalidArgumentError(f"{fn}: {arg} must be > 0, got {int(v)}")
    return int(v)


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size, iou_threshold=0.5,
                                 score_threshold=float("-inf"), pad_per_class=False, clip_boxes=True, name=None):
    """NMS per image and class, then the best ``max_total_size`` of each image's survivors by score:
    ``boxes`` [batch, num_boxes, q, 4] (q = 1: shared by all classes, or one box per class), ``scores``
    [batch, num_boxes, num_classes]. Returns ``(nmsed_boxes, nmsed_scores, nmsed_classes,
    valid_detections)``, zero-padded; ``clip_boxes`` clips the boxes to [0, 1]. Equal scores of
    different classes come out in an order TensorFlow leaves undefined (here: by class, then box)."""
    fn = "combined_non_max_suppression"
    b = np.asarray(as_tensor(boxes)._v, F32)
    s = np.asarray(as_tensor(scores)._v, F32)
    if b.ndim != 4 or b.shape[3] != 4:
        raise ValueError(f"{fn}: boxes must have shape [batch, num_boxes, q, 4], got {b.shape}")
    if s.ndim != 3 or s.shape[:2] != b.shape[:2]:
        raise ValueError(f"{fn}: scores must have shape [batch, num_boxes, num_classes] = "
                         f"[{b.shape[0]}, {b.shape[1]}, num_classes], got {s.shape}")
    nc = s.shape[2]
    if b.shape[2] not in (1, nc):
        raise ValueError(f"{fn}: boxes' third dimension q must be 1 or num_classes ({nc}), got {b.shape[2]}")
    per_class = min(_positive_int(max_output_size_per_class, fn, "max_output_size_per_class"), b.shape[1])
    total = _positive_int(max_total_size, fn, "max_total_size")
    _, _, _, iou, st = _args(b[0, :, 0], s[0, :, 0], 0, iou_threshold, score_threshold, fn)
    if pad_per_class:
        total = min(total, per_class * nc)
    out_b = np.zeros((b.shape[0], total, 4), F32)
    out_s = np.zeros((b.shape[0], total), F32)
    out_c = np.zeros((b.shape[0], total), F32)
    valid = np.zeros(b.shape[0], np.int32)
    for i in range(b.shape[0]):
        found = []
        for c in range(nc):
            cb = b[i, :, c if b.shape[2] > 1 else 0]
            sel, sc = _select(cb, s[i, :, c], per_class, iou, st)
            found += [(-float(score), c, int(k), cb[k]) for k, score in zip(sel, sc)]
        found.sort(key=lambda t: t[:3])
        found = found[:total]
        valid[i] = len(found)
        for j, (neg, c, _, box) in enumerate(found):
            out_b[i, j] = np.clip(box, 0, 1) if clip_boxes else box
            out_s[i, j], out_c[i, j] = -neg, c
    return Tensor(out_b), Tensor(out_s), Tensor(out_c), Tensor(valid)
