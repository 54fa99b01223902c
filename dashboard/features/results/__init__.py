"""Results of the classifiers: the Overview (every kind's headline), Training curves and Evaluation pages."""
