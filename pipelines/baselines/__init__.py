"""Bag-of-words baselines beside the recurrent models: runs of kind `baseline`.

- spec.py: `BaselineSpec` (majority class, or TF-IDF of word n-grams + logistic regression)
- model.py: `BaselineModel` (scikit-learn, stored as safetensors + JSON), `fit_baseline`, `WordWeights`
- load.py: `load_baseline`, a finished baseline run ready to predict and explain

The pipeline trains them for every classification data set (`pipelines.training.baselines`).
"""

from .model import BaselineModel, FeatureWeight, WordWeights, fit_baseline
from .spec import BaselineSpec, baseline_specs

__all__ = ["BaselineModel", "BaselineSpec", "FeatureWeight", "WordWeights", "baseline_specs", "fit_baseline"]
