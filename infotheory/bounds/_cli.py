"""``infotheory bound NAME ...``: compute a generalization bound from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from .._errors import UserError
from . import cmi, mutual_info, pac_bayes, wasserstein


def _one(values, flag: str) -> float:

    if len(values) != 1:
        raise UserError(f"{flag} takes one value for this bound, got {len(values)}: {values}")
    return values[0]


def _info(args):
    return args.mi[0] if len(args.mi) == 1 else args.mi


def _sigma(args) -> dict:
    return {"sigma": args.sigma, "loss_range": tuple(args.loss_range) if args.loss_range else None}


# name -> (required options, help line, call)
_BOUNDS = {
    "xu-raginsky": (
        ("mi", "n"), "sqrt(2 sigma^2 I(W;S) / n); --mi I(W;S), --sigma or --loss-range",
        lambda a: mutual_info.xu_raginsky_bound(_one(a.mi, "--mi"), a.n, **_sigma(a))),
    "bu-zou-veeravalli": (
        ("mi",), "(1/n) sum_i sqrt(2 sigma^2 I(W;Z_i)); --mi one value per sample (or one + --n)",
        lambda a: mutual_info.bu_zou_veeravalli_bound(_info(a), a.n, **_sigma(a))),
    "cmi": (
        ("cmi", "n"), "Steinke & Zakynthinou sqrt(2 CMI / n), loss in [0, 1]; --cmi, --n",
        lambda a: cmi.cmi_bound(a.cmi, a.n)),
    "fcmi": (
        ("mi",), "Harutyunyan et al. (1/n) sum_i sqrt(2 I(F_i;U_i|Z)); --mi per-sample terms",
        lambda a: cmi.fcmi_bound(_info(a), a.n)),
    "ecmi": (
        ("mi",), "Hellstrom & Durisi (1/n) sum_i sqrt(2 I(L_i;U_i|Z)); --mi per-sample terms",
        lambda a: cmi.ecmi_bound(_info(a), a.n)),
    "loss-difference": (
        ("mi",), "Wang & Mao (1/n) sum_i sqrt(2 I(dL_i;U_i)); --mi per-sample terms",
        lambda a: cmi.loss_difference_bound(_info(a), a.n)),
    "binary-kl": (
        ("mi", "train_loss"), "Hellstrom & Durisi binary-KL bound on the population loss; "
        "--train-loss, --mi e-CMI terms (or their mean)",
        lambda a: cmi.binary_kl_cmi_bound(a.train_loss, _info(a))),
    "interpolating": (
        ("mi",), "Wang & Mao: gap = sum_i I(dL_i;U_i) / (n log 2) for interpolating 0-1 "
        "classifiers; --mi per-sample terms",
        lambda a: cmi.interpolating_gen(_info(a), a.n)),
    "wasserstein": (
        ("distances", "lipschitz"), "(L/n) sum_i E W1(P_W|Z_i, P_W); --distances, --lipschitz",
        lambda a: wasserstein.wasserstein_bound(
            a.distances[0] if len(a.distances) == 1 else a.distances,
            lipschitz=a.lipschitz, n=a.n)),
    "maurer-seeger": (
        ("train_loss", "kl", "n"), "PAC-Bayes kl^-1(L, (KL + log(2 sqrt(n)/delta))/n)",
        lambda a: pac_bayes.maurer_seeger_bound(a.train_loss, a.kl, a.n, a.delta)),
    "mcallester": (
        ("train_loss", "kl", "n"), "PAC-Bayes L + sqrt((KL + log(2 sqrt(n)/delta))/(2n))",
        lambda a: pac_bayes.mcallester_bound(a.train_loss, a.kl, a.n, a.delta)),
    "catoni": (
        ("train_loss", "kl", "n"), "Catoni's PAC-Bayes bound with constant --C",
        lambda a: pac_bayes.catoni_bound(a.train_loss, a.kl, a.n, a.delta, C=a.C)),
}


def _listing() -> str:
    return "\n".join(f"  {name:<18s} {spec[1]}" for name, spec in _BOUNDS.items())


def register(subparsers) -> None:
    """Add the ``bound`` subcommand to the top-level parser."""
    p = subparsers.add_parser(
        "bound",
        help="compute a generalization bound (nats) with its assumptions",
        description="Compute an information-theoretic generalization bound. Information terms "
                    "are in nats. Bounds:\n" + _listing(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", nargs="?", help="which bound (see --list)")
    p.add_argument("--list", action="store_true", help="list the bounds and exit")
    p.add_argument("--mi", type=float, nargs="+", help="information term(s) in nats")
    p.add_argument("--cmi", type=float, help="I(W;U|Z~) in nats (bound 'cmi')")
    p.add_argument("--n", type=int, help="number of training samples")
    p.add_argument("--sigma", type=float, help="sub-Gaussian parameter of the loss")
    p.add_argument("--loss-range", type=float, nargs=2, metavar=("A", "B"),
                   help="loss values in [A, B] (sigma = (B - A) / 2)")
    p.add_argument("--train-loss", type=float, help="training (empirical) loss in [0, 1]")
    p.add_argument("--kl", type=float, help="KL(Q||P) in nats (PAC-Bayes)")
    p.add_argument("--delta", type=float, default=0.05, help="failure probability (0.05)")
    p.add_argument("--C", type=float, default=1.0, help="Catoni's constant (1.0)")
    p.add_argument("--lipschitz", type=float, help="Lipschitz constant of the loss")
    p.add_argument("--distances", type=float, nargs="+",
                   help="E W1(P_W|Z_i, P_W) per training sample")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_run)


def _run(args) -> int:

    if args.list:
        print(_listing())
        return 0
    if args.name is None:
        raise UserError("give the name of a bound (one of: " + ", ".join(_BOUNDS) + ")")
    if args.name not in _BOUNDS:
        raise UserError(
            f"unknown bound {args.name!r}; expected one of: " + ", ".join(_BOUNDS)
        )
    required, _, call = _BOUNDS[args.name]
    missing = [f"--{r.replace('_', '-')}" for r in required if getattr(args, r) is None]
    if missing:
        raise UserError(f"bound {args.name!r} needs " + ", ".join(missing))
    result = call(args)
    print(json.dumps(result.to_dict(), indent=2) if args.json else str(result))
    if result.vacuous:
        a, b = result.loss_range
        print(f"infotheory: warning: the bound {float(result):.6g} is vacuous: it is not below "
              f"the trivial bound {b - a if result.bounds == 'gen' else b:g} of a loss in "
              f"[{a:g}, {b:g}]", file=sys.stderr)
    return 0
