"""tf.image.non_max_suppression (+ _with_scores, _padded) against TF 2.21 (tests/fixtures/detect19.npz,
recorded by record_tf_detect19.py: 40 boxes, some with swapped corners, a duplicate, tied scores)."""
import os

import numpy as np
import pytest

import tinytf as tf

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "detect19.npz"))


@pytest.mark.parametrize("case", range(6))
def test_nms_matches_tf(case):
    m, iou, st = FIX[f"nms{case}_args"]
    out = tf.image.non_max_suppression(FIX["boxes"], FIX["scores"], int(m), iou, st)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(out.numpy(), FIX[f"nms{case}"])


def test_with_scores_and_padded_match_tf():
    sel, sc = tf.image.non_max_suppression_with_scores(FIX["boxes"], FIX["scores"], 12, 0.4, 0.1)
    np.testing.assert_array_equal(sel.numpy(), FIX["nmsws_sel"])
    np.testing.assert_array_equal(sc.numpy(), FIX["nmsws_sc"])
    sel, valid = tf.image.non_max_suppression_padded(FIX["boxes"], FIX["scores"], 12, 0.4, 0.1,
                                                     pad_to_max_output_size=True)
    np.testing.assert_array_equal(sel.numpy(), FIX["nmsp_sel"])
    assert int(valid) == int(FIX["nmsp_valid"])


def test_soft_nms_matches_tf():
    """Soft-NMS re-queues decayed boxes; the decay exp(-iou^2 / (2 sigma)) is within 2 ulp of TF's."""
    sel, sc = tf.image.non_max_suppression_with_scores(FIX["boxes"], FIX["scores"], 15, 0.6, 0.05, soft_nms_sigma=0.3)
    np.testing.assert_array_equal(sel.numpy(), FIX["soft_sel"])
    np.testing.assert_array_max_ulp(sc.numpy(), FIX["soft_sc"], maxulp=2)


def test_greedy_order_ties_and_threshold():
    boxes = [[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3], [0, 0, 1, 1]]
    # IOU(0, 1) = 0.9 / 1.1 > 0.5: box 1 goes; box 3 ties box 0's score and comes after it (lower index first)
    out = tf.image.non_max_suppression(boxes, [0.9, 0.8, 0.7, 0.9], 10, 0.5)
    np.testing.assert_array_equal(out.numpy(), [0, 2])
    out = tf.image.non_max_suppression(boxes, [0.9, 0.8, 0.7, 0.9], 10, 0.5, score_threshold=0.7)
    np.testing.assert_array_equal(out.numpy(), [0])  # scores must be > score_threshold


def test_soft_nms_decays_overlapping_scores():
    boxes = [[0, 0, 1, 1], [0, 0.5, 1, 1.5]]  # IOU 1/3
    sel, sc = tf.image.non_max_suppression_with_scores(boxes, [0.9, 0.8], 10, iou_threshold=1.0, soft_nms_sigma=0.5)
    np.testing.assert_array_equal(sel.numpy(), [0, 1])
    np.testing.assert_allclose(sc.numpy(), [0.9, 0.8 * np.exp(-(1 / 3) ** 2 / (2 * 0.5))], rtol=1e-6)


def test_argument_checks():
    b, s = np.zeros((3, 4), np.float32), np.zeros(3, np.float32)
    with pytest.raises(ValueError, match=r"boxes must have shape \[num_boxes, 4\]"):
        tf.image.non_max_suppression(np.zeros((3, 3)), s, 2)
    with pytest.raises(ValueError, match="scores must have shape"):
        tf.image.non_max_suppression(b, np.zeros(4), 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"iou_threshold must be in \[0, 1\], got 1.5"):
        tf.image.non_max_suppression(b, s, 2, 1.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_output_size must be non-negative"):
        tf.image.non_max_suppression(b, s, -1)
    with pytest.raises(TypeError, match="max_output_size must be a scalar int"):
        tf.image.non_max_suppression(b, s, 2.5)


CNMS = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "combined_nms.npz"))
CNMS_CASES = [dict(max_output_size_per_class=5, max_total_size=8, iou_threshold=0.5, score_threshold=0.1),
              dict(max_output_size_per_class=4, max_total_size=20, iou_threshold=0.3, score_threshold=0.0,
                   pad_per_class=True),
              dict(max_output_size_per_class=10, max_total_size=12, iou_threshold=0.6, score_threshold=0.4,
                   clip_boxes=False)]


@pytest.mark.parametrize("q", ["boxes1", "boxes3"])
@pytest.mark.parametrize("case", range(3))
def test_combined_nms_matches_tf(case, q):
    """combined_nms.npz (record_tf_combined_nms.py): boxes shared by the classes (q=1) or per class."""
    out = tf.image.combined_non_max_suppression(CNMS[q], CNMS["scores"], **CNMS_CASES[case])
    for name, got in zip(("boxes", "scores", "classes", "valid"), out):
        want = CNMS[f"c{case}_{q}_{name}"]
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got.numpy(), want)


def test_combined_nms_argument_checks():
    b, s = np.zeros((1, 3, 1, 4), np.float32), np.zeros((1, 3, 2), np.float32)
    with pytest.raises(ValueError, match=r"boxes must have shape \[batch, num_boxes, q, 4\]"):
        tf.image.combined_non_max_suppression(b[0], s, 2, 2)
    with pytest.raises(ValueError, match="q must be 1 or num_classes"):
        tf.image.combined_non_max_suppression(np.zeros((1, 3, 3, 4)), s, 2, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_total_size must be > 0"):
        tf.image.combined_non_max_suppression(b, s, 2, 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="iou_threshold must be in"):
        tf.image.combined_non_max_suppression(b, s, 2, 2, iou_threshold=-0.1)
