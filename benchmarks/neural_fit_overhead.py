"""Wall time of skhp's MLPClassifier.fit versus a hand-written torch loop.

Both train the same torch module (``skhp.neural.modules.MLP``) on the same
data with the same optimizer (Adam), loss (cross-entropy), epochs and batch
size, shuffling every epoch. The hand-written loop is what one would write
without skhp: tensors built once, ``randperm`` + slicing per batch,
``zero_grad``/``backward``/``step`` and the epoch loss accumulated with
``loss.item()``. The skhp time is the whole ``fit`` call (input validation,
label encoding, net construction, skorch's callbacks and history).

Each configuration is timed ``--repeats`` times, alternating which of the two
runs first; the table shows median wall times, the median of the per-repeat
wall-time ratios (skhp / torch) and the same ratio of process CPU times.

Usage::

    python benchmarks/neural_fit_overhead.py            # default configurations
    python benchmarks/neural_fit_overhead.py --repeats 7 --threads 1
"""

import argparse
import statistics
import time

import numpy as np

CONFIGS = [
    # name, n_samples, n_features, n_classes, hidden, epochs, batch_size
    ("digits-like", 1797, 64, 10, (128,), 10, 64),
    ("medium", 20000, 100, 5, (256, 256), 5, 128),
    ("wide-batch", 50000, 50, 2, (512, 256), 3, 512),
]


def make_data(n_samples, n_features, n_classes, seed=0):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=min(n_features, 20),
        n_classes=n_classes,
        random_state=seed,
    )
    return X.astype(np.float32), y


def hand_written_fit(X, y, hidden, epochs, batch_size, seed):
    """The plain torch loop skhp is compared with."""
    import torch

    from skhp.neural.modules import MLP

    torch.manual_seed(seed)
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(y.astype(np.int64))
    model = MLP(X.shape[1], int(y.max()) + 1, hidden_layer_sizes=hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = torch.nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        epoch_loss = 0.0
        for start in range(0, len(X_t), batch_size):
            index = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = criterion(model(X_t[index]), y_t[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(index)
    return model


def skhp_fit(X, y, hidden, epochs, batch_size, seed):
    from skhp.neural import MLPClassifier

    return MLPClassifier(
        hidden_layer_sizes=hidden,
        max_epochs=epochs,
        batch_size=batch_size,
        optimizer="adam",
        lr=1e-3,
        random_state=seed,
        verbose=0,
        device="cpu",
    ).fit(X, y)


def timed(fn, *args):
    """Wall and CPU seconds of ``fn(*args)``.

    CPU time of this process is reported next to wall time because on a
    shared machine other jobs inflate wall time at random.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument(
        "--configs", nargs="*", default=[c[0] for c in CONFIGS], help="names to run"
    )
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {args.threads} thread(s), "
        f"{args.repeats} repeats, medians"
    )
    header = (
        f"{'config':<12} {'samples':>7} {'hidden':>10} {'epochs':>6} {'batch':>5} "
        f"{'torch s':>8} {'skhp s':>8} {'ratio':>6} {'cpu ratio':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, n, d, k, hidden, epochs, batch in CONFIGS:
        if name not in args.configs:
            continue
        X, y = make_data(n, d, k)
        fit_args = (X, y, hidden, epochs, batch, 0)
        # Warm-up: first calls pay for imports and allocator growth.
        hand_written_fit(X[:256], y[:256], hidden, 1, batch, 0)
        skhp_fit(X[:256], y[:256], hidden, 1, batch, 0)
        plain, ours, ratios, cpu_ratios = [], [], [], []
        for repeat in range(args.repeats):
            if repeat % 2:
                t_ours = timed(skhp_fit, *fit_args)
                t_plain = timed(hand_written_fit, *fit_args)
            else:
                t_plain = timed(hand_written_fit, *fit_args)
                t_ours = timed(skhp_fit, *fit_args)
            plain.append(t_plain[0])
            ours.append(t_ours[0])
            ratios.append(t_ours[0] / t_plain[0])
            cpu_ratios.append(t_ours[1] / t_plain[1])
        print(
            f"{name:<12} {n:>7} {str(hidden):>10} {epochs:>6} {batch:>5} "
            f"{statistics.median(plain):>8.3f} {statistics.median(ours):>8.3f} "
            f"{statistics.median(ratios):>6.2f} {statistics.median(cpu_ratios):>9.2f}"
        )


if __name__ == "__main__":
    main()
