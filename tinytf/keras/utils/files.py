"""``keras.utils.get_file``: download once into ``~/.keras/<cache_subdir>``, checked by SHA-256."""
import os
import tarfile
import urllib.parse
import zipfile

from ..datasets import _files

_ARCHIVES = ("tar", "zip")


def _sha256_expected(file_hash, hash_algorithm, md5_hash):
    if md5_hash is not None or hash_algorithm == "md5" or (
            file_hash is not None and hash_algorithm == "auto" and len(file_hash) == 32):
        raise ValueError("get_file: tinytf checks SHA-256 hashes only (64 hex digits); got an MD5 hash "
                         f"{md5_hash or file_hash!r}")
    if hash_algorithm not in ("auto", "sha256"):
        raise ValueError(f"get_file: hash_algorithm must be 'auto' or 'sha256', got {hash_algorithm!r}")
    if file_hash is not None and (len(file_hash) != 64
                                  or any(c not in "0123456789abcdef" for c in file_hash.lower())):
        raise ValueError(f"get_file: file_hash must be a SHA-256 hex digest (64 hex digits), got {file_hash!r}")
    return file_hash


def _extract(archive, dest, archive_format):
    formats = _ARCHIVES if archive_format in ("auto", None) else (
        (archive_format,) if isinstance(archive_format, str) else tuple(archive_format))
    root = os.path.realpath(dest)
    for fmt in formats:
        if fmt == "tar" and tarfile.is_tarfile(archive):
            with tarfile.open(archive) as t:
                members = t.getmembers()
                _check_inside(root, dest, [m.name for m in members], archive)
                bad = [m.name for m in members if m.issym() or m.islnk() or m.isdev()]
                if bad:
                    raise ValueError(f"get_file: {archive} holds links or devices {bad[:5]}; not extracted")
                t.extractall(dest, members=members)
            return True
        if fmt == "zip" and zipfile.is_zipfile(archive):
            from ...loading import member
            with zipfile.ZipFile(archive) as z:
                _check_inside(root, dest, z.namelist(), archive)
                for name in set(z.namelist()):  # bombs, encryption, unknown methods: before inflating
                    member(z, archive, name, 1 << 40)
                z.extractall(dest)
            return True
    return False


def _check_inside(root, dest, names, archive):
    for n in names:
        target = os.path.realpath(os.path.join(dest, n))
        if target != root and not target.startswith(root + os.sep):
            raise ValueError(f"get_file: {archive} has a member {n!r} outside the extraction folder; "
                             "not extracted")


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None,
             force_download=False):
    """Download ``origin`` to ``<cache_dir>/<cache_subdir>/<fname>`` (``~/.keras/datasets`` by
    default) unless it is already there (with ``file_hash``: and has that SHA-256). The download goes
    to a temporary file renamed into place once complete and checked. With ``extract`` (or
    ``untar``) a tar/zip archive is also unpacked and that folder returned, as Keras 3 does.
    Returns the path."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    file_hash = _sha256_expected(file_hash, hash_algorithm, md5_hash)
    base = os.path.expanduser(cache_dir if cache_dir is not None else os.path.join("~", ".keras"))
    datadir = os.path.join(base, cache_subdir)
    provided = fname is not None
    fname = os.fspath(fname) if provided else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: {origin!r}. Please specify "
                         "the `fname` argument.")
    if os.sep in fname:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the file's parent "
                         f"directory, use the `cache_dir` argument. Received: fname={fname}")
    extraction_dir = None
    if extract or untar:  # Keras 3's naming of the archive and the folder it is unpacked into
        if provided and "." in fname:
            target, extraction_dir = fname, fname[:fname.find(".")] + "_extracted"
        else:
            target, extraction_dir = fname + "_archive", fname
        target, extraction_dir = os.path.join(datadir, target), os.path.join(datadir, extraction_dir)
    else:
        target = os.path.join(datadir, fname)
    fresh = os.path.exists(target) and not force_download and (
        file_hash is None or _files.sha256_of(target) == file_hash.lower())
    if not fresh:
        try:
            _files.download(origin, target, file_hash)
        except _files.DownloadError as e:
            if "SHA-256 mismatch" in str(e):  # Keras: a ValueError
                raise ValueError(f"get_file: incomplete or corrupted file detected, not kept: {e}") from None
            raise _files.DownloadError(f"get_file: could not download {origin} (offline, or the URL is "
                                       f"wrong?); nothing was written to {datadir}. {e}") from None
    if extraction_dir is not None:
        if not _extract(target, extraction_dir, "tar" if untar else archive_format):
            raise ValueError(f"get_file: {target} is not a {'tar' if untar else 'tar or zip'} archive")
        return extraction_dir
    return target
