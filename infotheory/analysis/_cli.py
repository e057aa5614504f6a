"""Subcommands ``demo``, ``estimate`` and ``plane`` of the ``infotheory`` command."""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path

import numpy as np

from .._errors import UserError


@functools.cache
def _methods() -> dict:
    """method name -> (estimator of I(X;Y), used with --y; estimator of a quantity of X alone).

    Derived from the package's estimators (their ``_cli_name``), so a new estimator only has to
    declare its name to be offered here.
    """
    from .._base import all_estimators

    table: dict = {}
    for cls in all_estimators().values():
        if cls._cli_name is not None:
            joint, alone = table.get(cls._cli_name, (None, None))
            table[cls._cli_name] = (cls, alone) if cls._requires_y else (joint, cls)
    return table


def _user_error(message: str):
    return UserError(message)


def _resolve(method: str, joint: bool):
    pair = _methods()[method]
    target = pair[0] if joint else pair[1]
    if target is None:
        needs = "without --y (it estimates a quantity of X alone)" if pair[1] else "with --y"
        raise _user_error(f"method {method!r} must be used {needs}")
    return target


def _load_array(spec: str, what: str) -> np.ndarray:
    """Load ``file.npy``, ``file.npz`` (a single array) or ``file.npz:key``."""
    from .loading import open_npz

    head, sep, key = spec.rpartition(":")
    path = Path(head) if sep and head.endswith(".npz") else Path(spec)
    key = key if sep and head.endswith(".npz") else ""
    if not path.is_file():
        raise _user_error(f"{what} file not found: {path}")
    if path.suffix == ".npy":
        if key:
            raise _user_error(f"{what}: a .npy file holds one array; drop ':{key}'")
        return np.load(path, mmap_mode="r", allow_pickle=False)
    if path.suffix == ".npz":
        arrays = open_npz(path, keys=[key] if key else None)
        if not key and len(arrays) != 1:
            raise _user_error(
                f"{what}: {path} holds {len(arrays)} arrays ({', '.join(arrays)}); choose one "
                f"with {path}:KEY"
            )
        return next(iter(arrays.values()))
    raise _user_error(f"{what}: unsupported file {path}; expected .npy or .npz")


# -- demo ----------------------------------------------------------------------------------


def _run_demo(args) -> int:
    from ..datasets import load_demo_activations
    from ..mutual_info import BinnedMI
    from .plane import InformationPlane

    if args.epochs < 1:
        raise _user_error(f"--epochs must be >= 1, got {args.epochs}")
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    summary = {}
    for activation in ("tanh", "relu"):
        demo = load_demo_activations(activation, n_epochs=args.epochs, n_saved=args.saved)
        estimator = BinnedMI(binning="entropy_based", n_bins=args.bins, activation=activation)
        plane = InformationPlane(estimator=estimator, base=2, progress=not args.quiet)
        plane.fit(demo["activations"], demo["X"], demo["y"], epochs=demo["epochs"])
        plane.save(out, name=f"information_plane_{activation}")
        # plane.plot draws the ceilings log n and H(Y) that the saturation warning names
        fig = plane.plot(
            title=f"{activation} MLP on digits, entropy-based binning ({args.bins} bins)",
        )
        fig.savefig(out / f"information_plane_{activation}.png", dpi=120)
        summary[activation] = _summarise(plane, demo)
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    elapsed = time.perf_counter() - start
    if not args.quiet:
        _print_summary(summary, out, elapsed)
    return 0


def _summarise(plane, demo) -> dict:
    last = plane.layers_[-1]
    rows = [r for r in plane.table_ if r["layer"] == last]
    xt = np.array([r["mi_xt"] for r in rows])
    peak = int(np.argmax(xt))
    return {
        "unit": plane.unit_,
        "epochs": [int(e) for e in plane.epochs_],
        "final_accuracy": float(demo["accuracy"][-1]),
        "last_layer": last,
        "last_layer_mi_xt": [float(v) for v in xt],
        "last_layer_mi_ty": [float(r["mi_ty"]) for r in rows],
        "peak_epoch": int(plane.epochs_[peak]),
        "compression": float(xt[peak] - xt[-1]),
    }


def _print_summary(summary: dict, out: Path, elapsed: float) -> None:
    print(f"Information plane of the digits MLP (entropy-based binning), written to {out}/")
    for activation, s in summary.items():
        print(
            f"  {activation:4s}: accuracy {s['final_accuracy']:.3f}; last layer "
            f"({s['last_layer']}) I(X;T) {s['last_layer_mi_xt'][0]:.2f} -> peak "
            f"{max(s['last_layer_mi_xt']):.2f} (epoch {s['peak_epoch']}) -> "
            f"{s['last_layer_mi_xt'][-1]:.2f} {s['unit']}, compression "
            f"{s['compression']:.2f} {s['unit']}; I(T;Y) {s['last_layer_mi_ty'][0]:.2f} -> "
            f"{s['last_layer_mi_ty'][-1]:.2f} {s['unit']}"
        )
    print(f"  files: {', '.join(sorted(p.name for p in out.iterdir()))}")
    print(f"  done in {elapsed:.1f} s")


# -- estimate ------------------------------------------------------------------------------


def _parse_value(text: str):
    """``--param`` values: int, float, bool (true/false), None (none/null), else the string."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _parse_params(specs, cls, flag: str = "--param") -> dict:
    """``["k=5", "noise=1e-10"]`` -> ``{"k": 5, "noise": 1e-10}``, names checked against ``cls``."""
    valid = sorted(cls().get_params(deep=False))
    params = {}
    for spec in specs or ():
        name, sep, value = spec.partition("=")
        name = name.strip()
        if not sep or not name:
            raise _user_error(f"{flag} must be NAME=VALUE (e.g. {flag} k=5), got {spec!r}")
        if name not in valid:
            raise _user_error(
                f"{flag} {name!r} is not a parameter of {cls.__name__}; valid: "
                + (", ".join(valid) or "none")
            )
        if name == "base":
            raise _user_error(f"set the unit with --base, not {flag} base=...")
        params[name] = _parse_value(value)
    return params


def _with_base(cls, params: dict, base, method: str) -> dict:
    """Add ``base`` to ``params``, or refuse ``--base`` for a quantity that has no unit base."""
    if "base" in cls().get_params(deep=False):
        return {**params, "base": base}
    if base is not None:
        raise _user_error(
            f"--base does not apply to method {method!r}: {cls.__name__} is not an amount of "
            f"information ({'a unitless score' if not cls._unit else 'its unit: ' + cls._unit})"
        )
    return params


def _run_estimate(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise _user_error(f"file not found: {path}")
    if path.suffix != ".npz":
        raise _user_error(f"FILE must be an .npz archive holding the arrays, got {path}")
    from .loading import open_npz

    keys = [args.x] + ([args.y] if args.y else [])
    cls = _resolve(args.method, joint=args.y is not None)
    params = _with_base(cls, _parse_params(args.param, cls), args.base, args.method)
    arrays = open_npz(path, keys=keys)
    est = cls(**params)
    if args.y is None:
        est.fit(arrays[args.x])
    else:
        est.fit(arrays[args.x], arrays[args.y])
    value = est.value_
    if not np.isfinite(value):
        raise _user_error(
            f"{cls.__name__} gave {value} for this data; no estimate to report (check the "
            "data's scale and duplicates, or try another --method)"
        )
    unit = est.unit_
    se = getattr(est, "standard_error_", None)
    attr = cls._result_attr
    quantity = f"I({args.x};{args.y})" if args.y else f"{attr.rstrip('_')}({args.x})"
    n = int(np.shape(arrays[args.x])[0])
    if args.json:
        print(json.dumps({
            "method": args.method, "estimator": cls.__name__, "quantity": quantity,
            "value": value, "unit": unit or None,
            "standard_error": None if se is None else float(se),
            "params": {k: v for k, v in params.items() if k != "base"},
            "n_samples": n, "file": str(path),
        }))
    else:
        shown = f"{value:.6g}" + (f" ± {float(se):.2g}" if se is not None else "")
        print(f"{quantity} = {shown}{' ' + unit if unit else ''}  ({cls.__name__}, n={n})")
    return 0


# -- plane ---------------------------------------------------------------------------------


def _run_plane(args) -> int:
    from ..mutual_info import BinnedMI
    from .loading import load_activations
    from .plane import InformationPlane

    path = Path(args.directory)
    if not path.exists():
        raise _user_error(f"activation path not found: {path}")
    loaded = load_activations(path, layers=args.layers)
    y = _load_array(args.labels, "--labels")
    X = _load_array(args.inputs, "--inputs") if args.inputs else None
    binning = {"binning": args.binning, "n_bins": args.bins, "activation": args.activation,
               "lower_bound": args.low}

    def make(method):
        if method is None:
            return None
        if method == "binned":
            return BinnedMI(**binning)
        return _resolve(method, joint=True)()

    estimator = make(args.estimator or "binned")
    extra = {}
    for method in args.extra or ():
        if method not in _methods():
            raise _user_error(f"--extra {method!r} is not a method; expected one of: "
                              + ", ".join(_methods()))
        # a quantity of T alone when the method has one (vendi, dse), else of (T, y)
        extra[method] = _resolve(method, joint=_methods()[method][1] is None)()
    plane = InformationPlane(estimator=estimator, estimator_xt=make(args.estimator_xt),
                             estimator_ty=make(args.estimator_ty), extra=extra or None,
                             base=args.base, progress=not args.quiet, n_jobs=args.jobs,
                             client=args.scheduler)
    plane.fit(loaded["activations"], X, y, epochs=loaded["epochs"])
    out = Path(args.output)
    paths = plane.save(out)
    names = {"xt": args.estimator_xt or args.estimator or f"{args.binning} binning",
             "ty": args.estimator_ty or args.estimator or f"{args.binning} binning"}
    what = names["xt"] if names["xt"] == names["ty"] else f"{names['xt']} / {names['ty']}"
    plane.plot(title=f"{path.name}: {what}", log_epochs=args.log_epochs).savefig(
        out / "information_plane.png", dpi=120)
    if not args.quiet:
        print(f"{len(plane.layers_)} layer(s) x {len(plane.epochs_)} epoch(s) -> "
              f"{paths['json']}, {paths['csv']}, {out / 'information_plane.png'}")
        last = [r for r in plane.table_ if r["epoch"] == plane.epochs_[-1]]
        for r in last:
            print(f"  epoch {r['epoch']} {r['layer']}: I(X;T) = {r['mi_xt']:.3f}, "
                  f"I(T;Y) = {r['mi_ty']:.3f} {plane.unit_}")
    return 0


def register(subparsers) -> None:
    """Add the ``demo``, ``estimate`` and ``plane`` subcommands."""
    demo = subparsers.add_parser(
        "demo", help="information plane of the bundled digits MLP (tanh and ReLU)",
        description="Train the bundled 64-10-7-5-4-3-10 MLP on scikit-learn's digits (tanh and "
        "ReLU; cached after the first run), estimate I(X;T) and I(T;Y) of every hidden layer "
        "with entropy-based binning, and write PNG plots and JSON/CSV tables.",
    )
    demo.add_argument("--output", default="report", help="output folder (default: report)")
    demo.add_argument("--epochs", type=int, default=300, help="training epochs (default: 300)")
    demo.add_argument("--saved", type=int, default=30,
                      help="number of recorded epochs, log-spaced (default: 30)")
    demo.add_argument("--bins", type=int, default=30, help="number of bins (default: 30)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    demo.set_defaults(func=_run_demo)

    methods = ", ".join(_methods())
    est = subparsers.add_parser(
        "estimate", help="estimate MI between two arrays (or an entropy) of an .npz file",
        description="Estimate I(X;Y) between the arrays --x and --y of an .npz file, or a "
        f"quantity of --x alone when --y is omitted. Methods: {methods}.",
    )
    est.add_argument("file", metavar="FILE", help=".npz file holding the arrays")
    est.add_argument("--x", required=True, metavar="KEY", help="key of the first array")
    est.add_argument("--y", metavar="KEY", help="key of the second array (omit for entropy)")
    est.add_argument("--method", required=True, choices=list(_methods()), metavar="METHOD",
                     help=f"one of: {methods}")
    est.add_argument("--base", type=float, default=None,
                     help="logarithm base of the unit (default: nats; 2 for bits); refused for "
                     "quantities that are not information (vendi)")
    est.add_argument("--param", action="append", metavar="NAME=VALUE",
                     help="estimator parameter, repeatable (e.g. --param k=5 --param "
                     "noise=1e-10); values are read as int, float, true/false, none or text")
    est.add_argument("--json", action="store_true", help="print the result as JSON")
    est.set_defaults(func=_run_estimate)

    plane = subparsers.add_parser(
        "plane", help="information plane of saved activations",
        description="Estimate I(X;T) and I(T;Y) for every layer and epoch of the activations in "
        "DIR (epoch_<E>.npz files with one key per layer, or epoch_<E>/<layer>.npy folders) and "
        "write information_plane.{json,csv,png}.",
    )
    plane.add_argument("directory", metavar="DIR", help="folder, file or Zarr store of activations")
    plane.add_argument("--labels", required=True, metavar="FILE",
                       help="class labels: file.npy, file.npz (one array) or file.npz:KEY")
    plane.add_argument("--inputs", metavar="FILE",
                       help="network inputs (default: every sample is a distinct input)")
    plane.add_argument("--output", default="information_plane",
                       help="output folder (default: information_plane)")
    plane.add_argument("--layers", nargs="+", metavar="LAYER", help="layers to analyse")
    mi_methods = [m for m, (joint, _) in _methods().items() if joint is not None]
    plane.add_argument("--estimator", choices=mi_methods, default=None, metavar="METHOD",
                       help="MI estimator of I(X;T) and I(T;Y) (default: binned), one of: "
                       + ", ".join(mi_methods))
    plane.add_argument("--estimator-xt", choices=mi_methods, default=None, metavar="METHOD",
                       help="estimator of I(X;T) only (e.g. compressed)")
    plane.add_argument("--estimator-ty", choices=mi_methods, default=None, metavar="METHOD",
                       help="estimator of I(T;Y) only (e.g. mixed, for class labels)")
    plane.add_argument("--extra", action="append", metavar="METHOD",
                       help="extra column per layer, repeatable (e.g. --extra vendi)")
    plane.add_argument("--log-epochs", action="store_true",
                       help="colour the epochs on a logarithmic scale")
    plane.add_argument("--binning", default="entropy_based",
                       choices=["fixed", "adaptive_range", "entropy_based"],
                       help="binning of the binned estimator (default: entropy_based)")
    plane.add_argument("--bins", type=int, default=30, help="number of bins (default: 30)")
    plane.add_argument("--activation", choices=["tanh", "relu"], default=None,
                       help="activation function, fixing the lower bound of adaptive binning")
    plane.add_argument("--low", type=float, default=None,
                       help="lower activation bound when --activation is not given "
                       "(default: the minimum of each layer)")
    plane.add_argument("--base", type=float, default=2.0,
                       help="logarithm base of the unit (default: 2, bits)")
    plane.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="threads over layers x epochs (-1: all cores; default: 1)")
    plane.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="run the layer x epoch jobs on Dask: a scheduler address "
                            "(tcp://host:8786), or 'local' for a LocalCluster of --jobs worker "
                            "processes (default: threads of this process)")
    plane.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    plane.set_defaults(func=_run_plane)
