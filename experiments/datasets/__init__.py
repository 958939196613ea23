"""Datasets for the lab: real (mnist1d, digits, mnist, fashion_mnist) and synthetic
(blobs, xor, teacher), all returned as standardised numpy arrays in one ``Dataset`` shape.

    from experiments.datasets import load_dataset
    data = load_dataset("mnist1d", seed=0)          # data.x_train: (4000, 40) float32
"""

from .base import Dataset, DatasetError
from .registry import DATASETS, DatasetSpec, check_dataset_params, dataset_input_shape, dataset_params, load_dataset

__all__ = ["DATASETS", "Dataset", "DatasetError", "DatasetSpec", "check_dataset_params", "dataset_input_shape",
           "dataset_params", "load_dataset"]
