"""Subcommands of the stimulator package (`neurotimer sim`)."""

from __future__ import annotations

import argparse
import sys

from neurotimer.stimulator import address


def _listen_address(text: str) -> tuple[str, int]:
    try:
        return address.parse_listen(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: argparse._SubParsersAction) -> None:
    """Adds the stimulator subcommands to the `neurotimer` parser."""
    sim = sub.add_parser(
        "sim",
        help="run the simulated NTS-1 stimulator on a TCP port",
        description="Runs the simulated NTS-1 stimulator as a TCP server (one client at a time). Its first line\n"
        "on stdout is `listening HOST:PORT`. SIGINT or SIGTERM switch every output off and stop it.",
        epilog="exit codes:\n"
        "  0  stopped by SIGINT or SIGTERM, every output off\n"
        "  1  cannot listen on the address (in use, not this computer's)\n"
        "  2  refused: bad arguments, or an address other than loopback without --allow-remote",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sim.add_argument(
        "--listen",
        type=_listen_address,
        default=(address.DEFAULT_HOST, address.DEFAULT_PORT),
        metavar="HOST:PORT",
        help=f"address to listen on (default {address.DEFAULT_HOST}:{address.DEFAULT_PORT}; port 0 picks a free one)",
    )
    sim.add_argument("--channels", type=int, choices=(4, 8), default=4, help="number of channels (default 4)")
    sim.add_argument("--seed", type=int, default=0, help="seed of the impedance-reading noise (default 0)")
    sim.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow listening on an address other than loopback (anyone on the network could drive it)",
    )
    sim.set_defaults(func=run_sim)


def run_sim(args: argparse.Namespace) -> int:
    host, port = args.listen
    if not args.allow_remote and not address.is_loopback(host):
        sys.stderr.write(
            f"neurotimer sim: error: {host} is not a loopback address; add --allow-remote to listen on it\n"
        )
        return 2
    from neurotimer import logsetup
    from neurotimer.stimulator import server

    logsetup.configure(None)
    return server.serve_forever(host, port, channels=args.channels, seed=args.seed)
