"""What a state machine needs whatever it moves (pure): transitions, and checking one.

A feature's workflow (transfer cases, subsidy applications) lists its transitions:
for each action, the states it may leave, the state it reaches, who may take it and
whether it needs a reason. `check` answers the target or an IllegalTransition whose
message names the state and the action, for translation where it is shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from portal.messages import N_, MessageError

# A feature's own enums: its states, the actors who move them, the actions they take.
State = TypeVar("State", bound=StrEnum)
Actor = TypeVar("Actor", bound=StrEnum)
Action = TypeVar("Action", bound=StrEnum)


@dataclass(frozen=True)
class Transition(Generic[State, Actor]):
    sources: tuple[State, ...]
    target: State
    actors: tuple[Actor, ...]
    needs_reason: bool = False


class IllegalTransition(MessageError):
    """A transition the state machine refuses; message is a template for translation."""


def check(
    transitions: Mapping[Action, Transition[State, Actor]],
    action: Action,
    status: State,
    actors: set[Actor],
    *,
    reason: str,
    wrong_state: str,
    not_yours: str,
) -> State:
    """The state after action, or IllegalTransition with wrong_state / not_yours / no reason."""
    transition = transitions[action]
    if status not in transition.sources:
        raise IllegalTransition(wrong_state, status=status, action=action)
    if not actors & set(transition.actors):
        raise IllegalTransition(not_yours, action=action)
    if transition.needs_reason and not reason.strip():
        raise IllegalTransition(N_("Give the reason."))
    return transition.target


def available(
    transitions: Mapping[Action, Transition[State, Actor]], status: State, actors: set[Actor]
) -> list[Action]:
    """The actions these actors could take in this state (for the buttons)."""
    return [
        action
        for action, transition in transitions.items()
        if status in transition.sources and actors & set(transition.actors)
    ]
