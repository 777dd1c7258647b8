"""A scenario as it runs: every process of every row, and the main program step by step.

A row with copies is a list of processes in the generated script
(``W = [Process(...) for k in range(os.cpu_count())]``), and a step on it is a loop
(``for p in W: p.join()``). Flattening it here, the same way, is what makes the Runner
do exactly what the script does: ``W.join()`` joins W[0], then W[1], and so on.
"""

from __future__ import annotations

from dataclasses import dataclass

from mpgui.model.scenario import ProcessSpec, Scenario, Step


@dataclass(frozen=True)
class Instance:
    """One process as it runs: its row's spec and which copy it is."""

    spec: ProcessSpec
    row: int  # the table row
    k: int  # the copy number, 0 for a process without copies
    var: str  # "A", or "W[0]" for a copy
    name: str  # Process(name=...): the row's name, with " k" for a copy


def instances(scenario: Scenario, cores: int) -> list[Instance]:
    """Every process of `scenario` on a machine with `cores` CPUs, in table order."""
    out = []
    for row, spec in enumerate(scenario.processes):
        if spec.copies.single:
            out.append(Instance(spec, row, 0, spec.var, spec.name))
        else:
            out += [Instance(spec, row, k, f"{spec.var}[{k}]", f"{spec.name} {k}")
                    for k in range(spec.copies.resolve(cores))]
    return out


def flat_program(scenario: Scenario, cores: int) -> list[Step]:
    """The main program with each step on a row of copies repeated for every copy, in
    order (the loop of the generated script)."""
    by_var: dict[str, list[str]] = {}
    for inst in instances(scenario, cores):
        by_var.setdefault(inst.spec.var, []).append(inst.var)
    out = []
    for step in scenario.program:
        if step.action == "sleep":
            out.append(step)
        else:
            out += [Step(step.action, var, step.seconds)
                    for var in by_var.get(step.target, [step.target])]
    return out


def color_indices(scenario: Scenario, cores: int) -> list[list[int]]:
    """Per table row, the colour index of each of its processes: the n-th process of
    the run has colour n, the same in the table, the chart and the console."""
    out: list[list[int]] = [[] for _ in scenario.processes]
    for n, inst in enumerate(instances(scenario, cores)):
        out[inst.row].append(n)
    return out
