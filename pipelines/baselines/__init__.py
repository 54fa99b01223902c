"""Bag-of-words baselines beside the recurrent models: runs of kind `baseline`.

- `BaselineSpec` (majority class, or TF-IDF of word n-grams + logistic regression): in
  pipelines/models/bag_of_words_spec.py with the other specs, so that `tasks` (below the store) can read it
- model.py: `BaselineModel` (scikit-learn, stored as safetensors + JSON), `fit_baseline`, `WordWeights`
- load.py: `load_baseline`, a finished baseline run ready to predict and explain

The pipeline trains them for every classification data set (`pipelines.training.baselines`).
"""

from .model import BaselineModel, FeatureWeight, WordWeights, fit_baseline
from ..models.bag_of_words_spec import BaselineSpec, baseline_specs

__all__ = ["BaselineModel", "BaselineSpec", "FeatureWeight", "WordWeights", "baseline_specs", "fit_baseline"]
