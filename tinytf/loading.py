"""Reading files tinytf did not make: one discipline for every format.

Every reader goes **open -> validate -> read -> assign**: it opens the file, checks its structure
(zip directory, HDF5 links and storage, ``.npy`` headers), the declared sizes, shapes and dtypes
against what the caller needs, and only then reads data; the caller assigns all arrays or none.
A refusal is a :class:`FileRefused` (a ``ValueError``) naming the file, the object in it and the
problem, raised before any data is read or anything is changed.

* zip (``.keras``, ``.npz``): members are looked up in the central directory; encrypted members,
  compression methods other than stored / deflate / bzip2 / lzma, sizes above what the caller
  allows and expansion ratios above ``MAX_RATIO`` are refused before anything is inflated, and
  members nobody asked for are never inflated. A bad CRC is a refusal naming the member.
* ``.npy`` (alone or inside an ``.npz``): the header's dtype (no objects: nothing is unpickled),
  shape and size are read first; the data must be exactly the size the header declares.
* HDF5: every link must be a hard link inside the file (soft links and external links are
  refused, as Keras does), and no dataset may keep its data outside the file (external raw
  storage, virtual datasets). Datasets are read only after their shapes and dtypes match.
"""
import collections
import contextlib
import io
import os
import zipfile

import numpy as np

MAX_RATIO = 100           # a zip member may inflate to at most 100x its stored size ...
RATIO_FLOOR = 16 << 20    # ... once it is bigger than 16 MiB (Keras: 100x above 4 GiB)
MAX_TEXT = 64 << 20       # JSON configs and metadata
MAX_HEADER = 10000        # bytes of an .npy header
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
            zipfile.ZIP_LZMA: "lzma"}
NUMERIC = "fiub"


_budget = []  # [path, bytes left] while a model is built from a file's config (allocation_budget)


class FileRefused(ValueError):
    """A file (or an object in it) that tinytf will not read; nothing was read or changed."""

    def __init__(self, path, obj, problem):
        self.path, self.obj, self.problem = os.fspath(path), obj, problem
        super().__init__(f"{self.path}: {obj}: {problem}" if obj else f"{self.path}: {problem}")


@contextlib.contextmanager
def allocation_budget(path, nbytes):
    """While a model is built from the config of ``path``, its weights may take at most ``nbytes``
    (what the file's weights can hold): ``charge`` refuses more before it is allocated."""
    _budget.append([os.fspath(path), int(nbytes)])
    try:
        yield
    except MemoryError:
        raise FileRefused(path, "config", "describes a model too big for this machine's memory") from None
    finally:
        _budget.pop()


def charge(nbytes, what):
    """Count a weight of ``nbytes`` against the active :func:`allocation_budget` (if any)."""
    if _budget:
        _budget[-1][1] -= nbytes
        if _budget[-1][1] < 0:
            raise FileRefused(_budget[-1][0], what, f"the config declares a weight of {size_text(nbytes)}, more "
                                                    "than the file's weights can hold; refused before allocating")


def size_text(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("kB", 1000)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def dtype_problem(file_dtype, want_dtype):
    """Why an array of ``file_dtype`` cannot go into a variable of ``want_dtype`` (or None): numbers
    only, floats into floats and integers/bools into integers/bools."""
    file_dtype, want_dtype = np.dtype(file_dtype), np.dtype(want_dtype)
    if file_dtype.kind not in NUMERIC:
        return f"holds {file_dtype} data, not numbers"
    if (file_dtype.kind == "f") != (want_dtype.kind == "f"):
        return f"file dtype {file_dtype} vs model {want_dtype}"
    return None


# ---- zip ---------------------------------------------------------------------------------------

def open_zip(path, what="zip file"):
    """An open ``zipfile.ZipFile`` (only the directory is read); ``FileRefused`` if it is not one."""
    path = os.fspath(path)
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise FileRefused(path, None, f"not a readable {what} (truncated or corrupted zip?): {e}") from None


def member(z, path, name, max_size):
    """The ``ZipInfo`` of ``name``, checked from the directory alone (present once, not encrypted,
    a supported method, at most ``max_size`` bytes inflated, a sane expansion ratio)."""
    counts = z.__dict__.get("_tinytf_name_counts")
    if counts is None:  # counted once per open zip: members are looked up in constant time
        counts = z._tinytf_name_counts = collections.Counter(i.filename for i in z.infolist())
    if not counts[name]:
        raise FileRefused(path, name, "missing from the zip file")
    if counts[name] > 1:
        raise FileRefused(path, name, f"appears {counts[name]} times in the zip directory")
    info = z.getinfo(name)
    if info.flag_bits & 0x1:
        raise FileRefused(path, name, "is encrypted; tinytf reads only unencrypted members")
    if info.compress_type not in _METHODS:
        raise FileRefused(path, name, f"uses compression method {info.compress_type}; tinytf reads "
                                      f"{', '.join(_METHODS.values())}")
    if info.file_size > max_size:
        raise FileRefused(path, name, f"declares {size_text(info.file_size)}, more than the "
                                      f"{size_text(max_size)} it may hold here; refused before inflating")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise FileRefused(path, name, f"inflates {size_text(info.compress_size)} to {size_text(info.file_size)} "
                                      f"(more than {MAX_RATIO}x): a decompression bomb, refused")
    return info


def read_member(z, path, name, max_size):
    """The bytes of member ``name`` (checked with :func:`member` first, CRC checked)."""
    info = member(z, path, name, max_size)
    try:
        with z.open(info) as f:
            data = f.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
        raise FileRefused(path, name, f"cannot be read (damaged zip member: {e})") from None
    if len(data) != info.file_size:
        raise FileRefused(path, name, f"holds {len(data)} bytes, the zip directory says {info.file_size}")
    return data


# ---- .npy / .npz -------------------------------------------------------------------------------

def _npy_header(f, path, obj):
    """``(shape, fortran, dtype)`` of the ``.npy`` header at ``f``'s position (at most
    ``MAX_HEADER`` bytes, as NumPy >= 1.24); the data follows."""
    fmt = np.lib.format
    try:
        magic = f.read(8)
        if len(magic) != 8 or magic[:6] != fmt.MAGIC_PREFIX:
            raise ValueError("no .npy magic string")
        readers = {1: (fmt.read_array_header_1_0, 2), 2: (fmt.read_array_header_2_0, 4)}
        reader, size = readers.get(magic[6], (None, 0))
        if reader is None:
            raise ValueError(f".npy version {magic[6]}.{magic[7]} (tinytf reads 1.0 and 2.0)")
        raw = f.read(size)
        length = int.from_bytes(raw, "little")
        if len(raw) != size or length > MAX_HEADER:
            raise ValueError(f"a header of {length} bytes (at most {MAX_HEADER})")
        header = f.read(length)
        shape, fortran, dtype = reader(io.BytesIO(raw + header))
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as e:
        raise FileRefused(path, obj, f"not a readable .npy array header ({e})") from None
    if dtype.hasobject:
        raise FileRefused(path, obj, "holds Python objects (a pickled array); tinytf never unpickles data")
    if dtype.kind not in NUMERIC + "US" or dtype.fields is not None or dtype.subdtype is not None:
        raise FileRefused(path, obj, f"holds {dtype} data; tinytf reads numbers (and strings for metadata)")
    return tuple(int(d) for d in shape), fortran, dtype


def _nbytes(shape, dtype):
    return int(np.prod(shape, dtype=object)) * dtype.itemsize


class Npz:
    """An open ``.npz``: its member ``names`` from the zip directory (sizes checked against
    ``max_bytes`` there), each member's header read and checked on demand (:meth:`header`,
    ``headers`` for all), its data read only by :meth:`read`."""

    def __init__(self, path, max_bytes=None, what="tinytf weights file (.npz)"):
        self.path, self._what = os.fspath(path), what
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"no such file: {self.path}")
        self._zip = open_zip(self.path, what)
        self._infos, self._headers = {}, {}
        total = 0
        for info in self._zip.infolist():
            if not info.filename.endswith(".npy"):
                self._refuse(info.filename, "is not an .npy array (an .npz holds only .npy members)")
            name = info.filename[:-4]
            if name in self._infos:
                self._refuse(info.filename, "appears twice in the zip directory")
            self._infos[name] = info
            total += info.file_size
            if max_bytes is not None and total > max_bytes + 16384 * len(self._infos):
                self._refuse(info.filename, f"the members declare more than the {size_text(max_bytes)} of "
                                            "arrays that can be needed here; refused before inflating")
        self.names = list(self._infos)
        self._max = max_bytes

    def _refuse(self, obj, problem):
        self._zip.close()
        raise FileRefused(self.path, obj, f"{problem}; not a {self._what}")

    def header(self, name):
        """``(shape, dtype)`` of member ``name``, from its header, checked against its size."""
        if name not in self._headers:
            info = self._infos[name]
            try:
                member(self._zip, self.path, info.filename, (self._max or info.file_size) + 16384)
                try:
                    with self._zip.open(info) as f:
                        shape, _, dtype = _npy_header(f, self.path, info.filename)
                        offset = f.tell()
                except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as e:
                    raise FileRefused(self.path, info.filename,
                                      f"cannot be read (damaged zip member: {e})") from None
            except FileRefused as e:
                self._refuse(e.obj, e.problem)
            need = _nbytes(shape, dtype)
            if offset + need != info.file_size:
                self._refuse(info.filename, f"declares an array {shape} of {dtype} ({size_text(need)}) but holds "
                                            f"{size_text(max(info.file_size - offset, 0))} of data")
            self._headers[name] = (shape, dtype)
        return self._headers[name]

    @property
    def headers(self):
        """Every member's ``(shape, dtype)`` (all headers read)."""
        return {k: self.header(k) for k in self.names}

    def read(self, name):
        self.header(name)
        info = self._infos[name]
        try:
            with self._zip.open(info) as f:
                a = np.lib.format.read_array(f, allow_pickle=False)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as e:
            raise FileRefused(self.path, info.filename, f"cannot be read (damaged zip member: {e})") from None
        return a

    def read_all(self):
        self.headers  # noqa: B018 - every header checked before any data is read
        return {k: self.read(k) for k in self.names}

    def text(self, name):
        """The JSON/text string stored in the 0-d string array ``name`` (tinytf's ``__meta__``)."""
        shape, dtype = self.header(name)
        if shape != () or dtype.kind != "U" or dtype.itemsize > MAX_TEXT:
            raise FileRefused(self.path, name, f"is {dtype} of shape {shape}, not a text entry")
        return str(self.read(name))

    def close(self):
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_npz_arrays(npz, wanted):
    """Problems of ``npz``'s arrays against ``wanted`` (name -> ``(shape, dtype)``), one line each."""
    problems = []
    for name, (shape, dtype) in wanted.items():
        if name not in npz.names:
            continue
        fshape, fdtype = npz.header(name)
        if fshape != tuple(shape):
            problems.append(f"{name}: file {fshape} vs model {tuple(shape)}")
        else:
            why = dtype_problem(fdtype, dtype)
            if why:
                problems.append(f"{name}: {why}")
    return problems


def npy_header(path):
    """``(shape, dtype)`` of a ``.npy`` file, checked against the file's size (nothing allocated)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        shape, _, dtype = _npy_header(f, path, None)
        offset = f.tell()
    need, have = _nbytes(shape, dtype), os.path.getsize(path) - offset
    if need != have:
        raise FileRefused(path, None, f"the header declares an array {shape} of {dtype} ({size_text(need)}) "
                                      f"but the file holds {size_text(max(have, 0))} of data")
    return shape, dtype


def read_npy(path):
    """A ``.npy`` file's array after :func:`npy_header` (no pickle)."""
    npy_header(path)
    try:
        return np.load(os.fspath(path), allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise FileRefused(path, None, f"not a readable .npy array ({e})") from None


# ---- HDF5 --------------------------------------------------------------------------------------

def check_h5(f, path):
    """Refuse any link that is not a hard link, and any dataset whose data lies outside the file
    (external raw storage, virtual layout), walking the whole file without following a link."""
    import h5py
    seen = {h5py.h5o.get_info(f.id).addr}

    def walk(group, prefix):
        for name in group:
            where = f"{prefix}/{name}" if prefix != "/" else f"/{name}"
            try:
                link = group.get(name, getlink=True)
            except (KeyError, OSError, TypeError, ValueError) as e:
                raise FileRefused(path, where, f"an HDF5 link tinytf cannot check ({e})") from None
            if isinstance(link, h5py.ExternalLink):
                raise FileRefused(path, where, f"is an HDF5 ExternalLink to {link.filename}:{link.path}; "
                                               "tinytf reads nothing from outside the file")
            if isinstance(link, h5py.SoftLink):
                raise FileRefused(path, where, f"is an HDF5 SoftLink to {link.path}; tinytf (as Keras) "
                                               "accepts only plain (hard-linked) groups and datasets")
            if not isinstance(link, h5py.HardLink):
                raise FileRefused(path, where, f"is an HDF5 link of kind {type(link).__name__}; refused")
            try:
                obj = group[name]
            except (KeyError, OSError, ValueError) as e:
                raise FileRefused(path, where, f"cannot be opened ({e})") from None
            if isinstance(obj, h5py.Dataset):
                check_h5_dataset(obj, path, where)
            elif isinstance(obj, h5py.Group):
                key = h5py.h5o.get_info(obj.id).addr
                if key in seen:
                    raise FileRefused(path, where, "links back to a group already seen (a cycle); refused")
                seen.add(key)
                walk(obj, where)
            elif not isinstance(obj, h5py.Datatype):  # a named type holds no data
                raise FileRefused(path, where, f"is an HDF5 {type(obj).__name__}, not a group or dataset")
    walk(f, "/")


def check_h5_dataset(ds, path, where):
    import h5py
    if ds.is_virtual:
        raise FileRefused(path, where, "is a virtual dataset (its data lives in other files); refused")
    if ds.external:
        raise FileRefused(path, where, f"keeps its data in external files {[e[0] for e in ds.external]}; "
                                       "tinytf reads nothing from outside the file")
    if ds.id.get_create_plist().get_layout() not in (h5py.h5d.COMPACT, h5py.h5d.CONTIGUOUS, h5py.h5d.CHUNKED):
        raise FileRefused(path, where, "has a storage layout tinytf does not read")


def read_dataset(ds, path, where=None):
    """The array of a checked HDF5 dataset (errors of damaged data named)."""
    try:
        return np.asarray(ds[()])
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise FileRefused(path, where or ds.name, f"cannot be read ({e})") from None


def h5_dataset(group, key, path):
    """``group[key]`` if it is a dataset, None if it is missing (a ``FileRefused`` naming it if it
    is anything else)."""
    import h5py
    obj = group.get(key)
    where = f"{group.name.rstrip('/')}/{key}"
    if obj is None:
        return None
    if not isinstance(obj, h5py.Dataset):
        raise FileRefused(path, where, f"is an HDF5 {type(obj).__name__}, expected a dataset (an array)")
    return obj
