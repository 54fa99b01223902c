"""The Train page: start training jobs in the background and watch them."""
