"""Shared plumbing for the dataset loaders: IDX files, search, download.

Every loader describes its data with a :class:`Dataset` and calls
:func:`locate`, which looks for the files in this order:

1. the ``path`` argument (a file, or a folder and its dataset subfolder);
2. ``$TINYTF_DATA/<subdir>`` and ``$TINYTF_DATA``;
3. ``~/.keras/datasets/<subdir>`` and ``~/.keras/datasets``;
4. the system folder ``/usr/share/datasets/<subdir>`` (where Debian's
   ``dataset-fashion-mnist`` package installs its files);

and, when none has them, downloads the official files (checked against
their SHA-256) into ``$TINYTF_DATA`` or ``~/.keras/datasets``.  The
download base URL can be replaced with ``$TINYTF_DATASETS_URL``.

Only numpy and the standard library are used; nothing is unpickled.
"""

import dataclasses
import gzip
import hashlib
import os
import sys
import tempfile
import urllib.request
import zlib

import numpy as np

DATA_ENV = "TINYTF_DATA"
URL_ENV = "TINYTF_DATASETS_URL"
SYSTEM_DATA_DIR = "/usr/share/datasets"
DOWNLOAD_TIMEOUT = 60  # seconds without data before a download gives up

# IDX type codes (third byte of the magic number) -> big-endian dtype.
_IDX_DTYPES = {
    0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}
_IDX_CODES = {dt.newbyteorder("="): code for code, dt in _IDX_DTYPES.items()}


class DatasetNotFoundError(FileNotFoundError):
    """No copy of a dataset was found and it could not be downloaded."""


class DownloadError(OSError):
    """A download failed or its checksum did not match."""


# --------------------------------------------------------------------- IDX


def _open_maybe_gzip(path):
    """Open ``path`` for binary reading, unzipping it if it is gzipped."""
    f = open(path, "rb")
    if f.read(2) == b"\x1f\x8b":
        f.seek(0)
        return gzip.GzipFile(fileobj=f, mode="rb"), f
    f.seek(0)
    return f, f


def _read_exact(f, buf):
    """Fill ``buf`` from ``f``; return how many bytes were read."""
    view, done = memoryview(buf).cast("B"), 0
    while done < len(view):
        n = f.readinto(view[done:])
        if not n:
            break
        done += n
    return done


def read_idx(path, ndim=None):
    """Read an IDX file (gzipped or raw) into a numpy array.

    Checks the magic number (two zero bytes, a known type code, the number
    of dimensions), and that the file holds exactly the data its header
    announces.  ``ndim``, when given, is the number of dimensions required.
    Every error is a ``ValueError`` naming the file.
    """
    path = os.fspath(path)
    f, raw = _open_maybe_gzip(path)
    try:
        with raw, f:
            magic = f.read(4)
            if len(magic) < 4:
                raise ValueError(f"{path}: not an IDX file (shorter than its 4-byte magic number)")
            if magic[:2] != b"\0\0" or magic[2] not in _IDX_DTYPES:
                raise ValueError(f"{path}: not an IDX file (bad magic number 0x{magic.hex()})")
            dtype, rank = _IDX_DTYPES[magic[2]], magic[3]
            if ndim is not None and rank != ndim:
                raise ValueError(f"{path}: expected a {ndim}-D IDX array, the header says {rank}-D "
                                 f"(magic number 0x{magic.hex()})")
            dims = f.read(4 * rank)
            if len(dims) < 4 * rank:
                raise ValueError(f"{path}: IDX file truncated inside its header")
            shape = tuple(int(d) for d in np.frombuffer(dims, ">u4"))
            want = int(np.prod(shape, dtype=object)) * dtype.itemsize
            if f is raw:  # uncompressed: the exact length is known before reading
                size = os.fstat(raw.fileno()).st_size - 4 - 4 * rank
                if size != want:
                    raise ValueError(f"{path}: IDX header {shape} needs {want} data bytes, the file has {size}"
                                     + (" (truncated)" if size < want else " (bytes past the data)"))
            try:
                out = np.empty(shape, dtype.newbyteorder("="))
            except (MemoryError, ValueError) as e:
                raise ValueError(f"{path}: IDX header announces an array {shape} too big to load") from e
            if dtype.byteorder == ">":  # read big-endian, then make native
                data = np.empty(shape, dtype)
                got = _read_exact(f, data)
                out[...] = data
            else:
                got = _read_exact(f, out)
            if got < want:
                raise ValueError(f"{path}: IDX file truncated: header {shape} needs {want} "
                                 f"data bytes, found {got}")
            if f.read(1):
                raise ValueError(f"{path}: IDX file has bytes past the {want} its header {shape} announces")
    except (OSError, EOFError, zlib.error) as e:  # corrupt or truncated gzip data
        raise ValueError(f"{path}: cannot read IDX file: {e}") from e
    return out


def write_idx(path, array):
    """Write ``array`` as an IDX file; gzipped when ``path`` ends in ``.gz``."""
    array = np.asarray(array)
    code = _IDX_CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"{path}: IDX cannot store dtype {array.dtype}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    data = header + np.ascontiguousarray(array, _IDX_DTYPES[code]).tobytes()
    path = os.fspath(path)
    if path.endswith(".gz"):
        with open(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as g:
            g.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def load_idx_splits(train_images, train_labels, test_images, test_labels):
    """Read four IDX files into ``(x_train, y_train), (x_test, y_test)``.

    Images must be 3-D uint8, labels 1-D uint8 with one label per image.
    """
    out = []
    for images_path, labels_path in ((train_images, train_labels), (test_images, test_labels)):
        x, y = read_idx(images_path, ndim=3), read_idx(labels_path, ndim=1)
        for p, a in ((images_path, x), (labels_path, y)):
            if a.dtype != np.uint8:
                raise ValueError(f"{p}: expected uint8 IDX data, found {a.dtype}")
        if len(x) != len(y):
            raise ValueError(f"{images_path} has {len(x)} images but {labels_path} has {len(y)} labels")
        out.append((x, y))
    return tuple(out)


# ------------------------------------------------------------------ search


@dataclasses.dataclass
class Layout:
    """One way a dataset can be stored in a folder.

    ``members`` lists the files needed, each as a tuple of acceptable names
    (relative to the folder; the first that exists wins).  A layout with
    ``at_root=False`` is only looked for in the dataset's own subfolder (or
    a folder given explicitly), because its file names are ambiguous.
    """

    members: tuple
    at_root: bool = True


@dataclasses.dataclass
class Dataset:
    """What a loader needs: where to look, what to look for, what to fetch."""

    title: str          # for messages, e.g. "Fashion-MNIST"
    subdir: str         # the dataset's subfolder name, e.g. "fashion-mnist"
    layouts: list       # of Layout, in order of preference
    origin: str         # base URL of the official files
    files: dict         # file name -> SHA-256, downloaded in this order
    download_layout: int = 0   # which layout the downloaded files form
    download_subdir: str = ""  # subfolder of the cache they go to
    hint: str = ""      # extra advice for the not-found message


def cache_dir():
    """Where downloads go: ``$TINYTF_DATA`` or ``~/.keras/datasets``."""
    return os.environ.get(DATA_ENV) or os.path.join(os.path.expanduser("~"), ".keras", "datasets")


def _search_dirs(ds, folder=None):
    """The folders to look in, in order, as ``(folder, explicit)`` pairs."""
    roots = [(folder, True)] if folder else []
    if os.environ.get(DATA_ENV):
        roots.append((os.environ[DATA_ENV], False))
    roots.append((os.path.join(os.path.expanduser("~"), ".keras", "datasets"), False))
    dirs = []
    for root, explicit in roots:  # the dataset's own subfolder first: it is the less ambiguous
        dirs += [(os.path.join(root, ds.subdir), True), (root, explicit)]
    dirs.append((os.path.join(SYSTEM_DATA_DIR, ds.subdir), True))
    seen, out = set(), []
    for d, explicit in dirs:
        key = os.path.abspath(d)
        if key not in seen:
            seen.add(key)
            out.append((d, explicit))
    return out


def find_layout(folder, layout):
    """Paths of the layout's files in ``folder``, or None if one is missing."""
    paths = []
    for names in layout.members:
        hit = next((os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))), None)
        if hit is None:
            return None
        paths.append(hit)
    return paths


def find_local(ds, path=None):
    """Look for the dataset on disk.

    Returns ``(layout_index, paths, looked)``; ``layout_index`` is None when
    nothing was found, and ``looked`` lists every place tried.
    """
    looked, folder = [], None
    if path is not None:
        path = os.path.expanduser(os.fspath(path))
        if os.path.isfile(path):
            single = [i for i, lay in enumerate(ds.layouts) if len(lay.members) == 1]
            if single:
                return single[0], [path], looked
            folder = os.path.dirname(path) or "."
        elif os.path.isdir(path):
            folder = path
        else:
            looked.append(f"{path} (the path argument: no such file or folder)")
    for d, explicit in _search_dirs(ds, folder):
        if not os.path.isdir(d):
            looked.append(f"{d} (no such folder)")
            continue
        for i, layout in enumerate(ds.layouts):
            if layout.at_root or explicit:
                paths = find_layout(d, layout)
                if paths:
                    return i, paths, looked
        looked.append(f"{d} (no {ds.title} files)")
    return None, None, looked


# ---------------------------------------------------------------- download


def sha256_of(path):
    """The SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _remove(tmp, folders):
    """Best-effort removal of a temporary file and then of empty folders."""
    try:
        if tmp is not None:
            os.unlink(tmp)
        for d in folders:
            os.rmdir(d)
    except OSError:
        pass


def download(url, dest, sha256):
    """Download ``url`` to ``dest``, keeping it only if its SHA-256 matches (``sha256=None``: no check).

    The data goes to a temporary file in ``dest``'s folder that is renamed
    to ``dest`` once the checksum has passed, so a failed or corrupt
    download leaves nothing behind.  Raises :class:`DownloadError`.
    """
    folder = os.path.dirname(os.path.abspath(dest))
    made, d = [], folder  # folders this call creates, deepest first
    while not os.path.isdir(d) and d != os.path.dirname(d):
        made.append(d)
        d = os.path.dirname(d)
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(dest) + ".", suffix=".part", dir=folder)
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp:
            for block in iter(lambda: resp.read(1 << 20), b""):
                h.update(block)
                out.write(block)
        if sha256 is not None and h.hexdigest() != sha256.lower():  # None: keras.utils.get_file
            raise DownloadError(f"{url}: SHA-256 mismatch (expected {sha256}, got {h.hexdigest()})")
        os.replace(tmp, dest)
    except BaseException as e:  # Ctrl-C too: never leave a partial file
        _remove(tmp, made)
        if isinstance(e, DownloadError) or not isinstance(e, Exception):
            raise
        raise DownloadError(f"cannot download {url} to {folder}: {e}") from e
    return dest


def base_url(ds):
    """The base URL downloads come from (``$TINYTF_DATASETS_URL`` wins)."""
    url = os.environ.get(URL_ENV) or ds.origin
    return url if url.endswith("/") else url + "/"


def locate(ds, path=None):
    """Find the dataset's files, downloading them if needed.

    Returns ``(layout_index, paths)``.  Raises :class:`DatasetNotFoundError`
    listing every place looked in and how to get the data.
    """
    index, paths, looked = find_local(ds, path)
    if index is not None:
        return index, paths
    dest_dir = os.path.join(cache_dir(), ds.download_subdir) if ds.download_subdir else cache_dir()
    try:
        paths = []
        for name, sha in ds.files.items():
            dest = os.path.join(dest_dir, name)
            if not (os.path.isfile(dest) and sha256_of(dest) == sha):
                print(f"tinytf: downloading {base_url(ds) + name} to {dest}", file=sys.stderr)
                download(base_url(ds) + name, dest, sha)
            paths.append(dest)
        return ds.download_layout, paths
    except DownloadError as e:
        where = "\n".join("  - " + line for line in looked)
        raise DatasetNotFoundError(
            f"{ds.title} data not found. Looked in:\n{where}\n"
            f"and the download into {dest_dir} failed: {e}\n"
            f"To get the data: put the files in a folder and set {DATA_ENV} to it, "
            f"pass the file or folder as load_data(path=...), or let the download through "
            f"(or point {URL_ENV} at a mirror of the official files)." + (f"\n{ds.hint}" if ds.hint else "")
        ) from e

