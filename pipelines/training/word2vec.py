"""The `embed` command: word2vec on IMDb's unlabelled reviews, kept in the store as a pretrained-embeddings artifact.

    settings = train_embeddings(Store().root, Word2VecConfig(dimensions=128), data_dir="../shared/data")

Why word2vec (skip-gram with negative sampling, Mikolov et al. 2013) through
gensim, and not a recurrent language model of our own zoo (Dai & Le 2015): on
this project's 2-core CPU, gensim learns 128-dimensional vectors from the 75,000
training-side reviews (about 20 million tokens) in a few minutes, while one
epoch of a 1-layer LSTM language model over the same tokens with a 40,000-word
softmax is hours of work here (BENCHMARKS.md has the estimate, and what it takes
on a GPU). Skip-gram rather than CBOW: it learns better vectors for the rarer
words a review's verdict often turns on. The vectors are the only thing a
classifier takes from this step; its tokens are our one tokenizer's, so they
line up with every data set's vocabulary.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass

import numpy as np
from tqdm import tqdm

from ..data.base import cache_dir
from ..data.text import tokenize
from ..data.unlabelled import DEFAULT_CORPUS, Corpus, unlabelled_corpus
from ..embeddings import CorpusFacts, EmbeddingSettings, write_embeddings


@dataclass(frozen=True)
class Word2VecConfig:
    dimensions: int = 128  # the full zoo's embedding size
    window: int = 5  # words either side that count as context
    min_count: int = 5  # rarer words get no vector (a data set's own random start instead)
    negative: int = 5  # negative samples per positive pair (gensim's default)
    epochs: int = 5
    skip_gram: bool = True  # False: CBOW (faster, weaker on rare words)
    seed: int = 42
    corpus: str = DEFAULT_CORPUS
    workers: int = 2  # gensim's threads; more than one makes the vectors vary slightly from run to run

    def __post_init__(self):
        if self.dimensions < 2 or self.window < 1 or self.min_count < 1 or self.negative < 1 or self.epochs < 1:
            raise ValueError("dimensions must be >= 2; window, min_count, negative and epochs >= 1")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")

    @property
    def algorithm(self) -> str:
        return "word2vec skip-gram" if self.skip_gram else "word2vec CBOW"

    def name(self, corpus: Corpus) -> str:
        """Readable and content-addressed, e.g. 'word2vec-imdb-unsup-train-128d-1a2b3c4d'."""
        identity = {**asdict(self), "workers": None, "corpus": corpus_fingerprint(corpus)}
        digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:8]
        return f"word2vec-{corpus.name.replace('+', '-')}-{self.dimensions}d-{digest}"


def corpus_fingerprint(corpus: Corpus) -> str:
    return hashlib.sha256("\n".join(corpus.ids).encode()).hexdigest()[:12]


def _write_line_corpus(corpus: Corpus, path) -> int:
    """One review per line, tokens separated by spaces (gensim's corpus_file format); returns the token count."""
    tokens = 0
    with open(path, "w", encoding="utf-8") as handle:
        for text in corpus.texts:
            words = tokenize(text)
            tokens += len(words)
            handle.write(" ".join(words) + "\n")
    return tokens


def train_embeddings(store_root, config: Word2VecConfig = Word2VecConfig(), data_dir=None,
                     show_progress: bool = True, corpus: Corpus | None = None) -> EmbeddingSettings:  # fmt: skip
    """Learn word vectors from the unlabelled corpus and write them into the store; returns their settings.

    The same settings on the same corpus name the same artifact, which is then kept, not trained again.
    """
    import gensim  # only the embed command needs it
    from gensim.models import Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    from ..embeddings import list_embeddings

    corpus = corpus or unlabelled_corpus(data_dir, config.corpus)
    name = config.name(corpus)
    existing = [settings for settings in list_embeddings(store_root) if settings.name == name]
    if existing:
        return existing[0]

    class EpochBar(CallbackAny2Vec):
        def __init__(self, bar):
            self.bar = bar

        def on_epoch_end(self, model):
            self.bar.update(1)

    cache_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir()) as folder:
        line_file = os.path.join(folder, "corpus.txt")
        tokens = _write_line_corpus(corpus, line_file)
        bar = tqdm(total=config.epochs, desc=f"word2vec on {len(corpus.texts):,} reviews", unit="epoch",
                   disable=not show_progress)  # fmt: skip
        started = time.perf_counter()
        model = Word2Vec(
            corpus_file=line_file, vector_size=config.dimensions, window=config.window, min_count=config.min_count,
            negative=config.negative, sg=int(config.skip_gram), epochs=config.epochs, seed=config.seed,
            workers=config.workers, callbacks=[EpochBar(bar)],
        )  # fmt: skip
        seconds = time.perf_counter() - started
        bar.close()
    words = list(model.wv.index_to_key)
    counts = [int(model.wv.get_vecattr(word, "count")) for word in words]
    settings = EmbeddingSettings(
        name=name, algorithm=config.algorithm, dimensions=config.dimensions, window=config.window,
        min_count=config.min_count, negative=config.negative, epochs=config.epochs, seed=config.seed,
        corpus=CorpusFacts(name=corpus.name, parts=list(corpus.parts), texts=len(corpus.texts), tokens=tokens,
                           fingerprint=corpus_fingerprint(corpus)),
        words=len(words), train_seconds=seconds, versions={"gensim": gensim.__version__, "numpy": np.__version__},
        created_at=time.time(),
    )  # fmt: skip
    write_embeddings(store_root, settings, words, counts, np.asarray(model.wv.vectors, dtype=np.float32))
    return settings
