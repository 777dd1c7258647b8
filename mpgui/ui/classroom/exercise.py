"""Exercises in the window: the goal and the hints under the scenario's explanation,
the verdict after each run (judged on the measured run, `runtime.session.verdict`), the
solved ones remembered per user (QSettings) and marked in the gallery, and a reset of
that progress."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox, QWidget

from mpgui.i18n import _
from mpgui.model.exercise import Exercise
from mpgui.runtime.session.run import Status
from mpgui.runtime.session.verdict import Verdict, judge
from mpgui.ui.actions import make_action
from mpgui.ui.settings import read_list, settings
from mpgui.ui.theme import Theme, readable

if TYPE_CHECKING:
    from mpgui.ui.classroom.explanation import ExplanationPanel
    from mpgui.ui.classroom.gallery import GalleryList
    from mpgui.ui.classroom.presentation import PresentationHeader
    from mpgui.ui.editor.document import ScenarioDocument
    from mpgui.ui.run.console import ConsolePane
    from mpgui.ui.run.controller import RunController

SOLVED_KEY = "exercises/solved"  # the built-in exercises this user has solved
HINT_LINK = "mpgui:hint"  # the explanation's link that shows the next hint
VERDICT_ANCHOR = "verdict"  # where the explanation scrolls to after a run
MET_GREEN = "#1b7a2f"  # a met goal's words (made readable on each theme's background)


def solved_exercises() -> set[str]:
    """The built-in exercises solved on this computer by this user."""
    return set(read_list(SOLVED_KEY))


def exercise_html(exercise: Exercise, verdict: Verdict | None, hints_shown: int,
                  theme: Theme) -> str:
    """The exercise's part of the explanation: the goal, what may be edited, how the
    last run did, the hints shown so far and a link to the next one."""
    heading = _("Your task")
    out = [f"<hr><h3 style='margin:6px 0 4px 0'>{html.escape(heading)}</h3>",
           f"<p><b>{html.escape(exercise.goal)}</b></p>"]
    note = exercise.edit_note()
    if note:
        out.append(f"<p><i>{html.escape(note)}</i></p>")
    if verdict is None:
        out.append("<p>" + html.escape(_("Edit, then press Run (F5): mpgui says whether the "
                                          "run met the goal.")) + "</p>")
    else:
        out.append(f"<p><a name='{VERDICT_ANCHOR}'></a>{_verdict_html(verdict, theme)}</p>")
    for k, hint in enumerate(exercise.hints[:hints_shown], 1):
        heading = html.escape(_("Hint {k}:").format(k=k))
        out.append(f"<p><b>{heading}</b> {html.escape(hint)}</p>")
    if hints_shown < len(exercise.hints):
        link = html.escape(_("Show a hint ({k} of {n})").format(k=hints_shown + 1,
                                                                n=len(exercise.hints)))
        out.append(f"<p><a href='{HINT_LINK}'>{link}</a> &nbsp;(Ctrl+Alt+H)</p>")
    return "".join(out)


def _verdict_html(verdict: Verdict, theme: Theme) -> str:
    """'✓ Goal met: …' in green, or '✗ Not yet: …' in red, on the theme's background."""
    colour = readable(QColor(MET_GREEN), theme.background).name() if verdict.met \
        else theme.crash
    mark = "✓" if verdict.met else "✗"
    return f"<b style='color:{colour}'>{mark} {html.escape(verdict.sentence())}</b>"


class ExerciseCoach(QObject):
    """Follows the open scenario's exercise: shows it, judges each run of it, keeps the
    student's progress."""

    def __init__(self, window: QWidget, doc: ScenarioDocument, controller: RunController,
                 explanation: ExplanationPanel, header: PresentationHeader,
                 gallery: GalleryList, console: ConsolePane) -> None:
        super().__init__(window)
        self.window, self.doc, self.controller = window, doc, controller
        self.explanation, self.header = explanation, header
        self.gallery, self.console = gallery, console
        self.exercise: Exercise | None = None
        self.verdict: Verdict | None = None
        self.hints_shown = 0
        self.actions = {
            "hint": make_action(self, _("Show a &Hint"), "Ctrl+Alt+H", self.next_hint,
                                _("Show the next hint of this exercise")),
            "reset_progress": make_action(self, _("Reset Exercise &Progress…"), None,
                                          self.reset_progress,
                                          _("Forget which exercises you have solved")),
        }
        doc.changed.connect(self._follow)
        # Queued: judged after the run's own handlers have noted its end (the console's
        # "— Run finished —" comes first).
        controller.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        explanation.anchorClicked.connect(self._link)
        gallery.mark_solved(solved_exercises())
        self._follow()

    def next_hint(self) -> None:
        """Show one more hint of the open exercise (if it has more)."""
        if self.exercise is not None and self.hints_shown < len(self.exercise.hints):
            self.hints_shown += 1
            self._show()

    def reset_progress(self) -> None:
        """Forget the solved exercises, once the user agrees."""
        if not solved_exercises():
            self.window.statusBar().showMessage(  # type: ignore[attr-defined]
                _("No exercise is marked as solved."), 5000)
            return
        answer = QMessageBox.question(
            self.window, _("Reset exercise progress"),
            _("Forget which exercises you have solved? Their ✓ marks go; your edits stay."))
        if answer == QMessageBox.StandardButton.Yes:
            settings().setValue(SOLVED_KEY, [])
            self.gallery.mark_solved(set())

    def set_theme(self, theme: Theme) -> None:
        """Other colours: the exercise's part is written again."""
        self._show()

    def _follow(self) -> None:
        """The document changed: another exercise (or none) starts afresh; an edit of
        the same one keeps its hints and its last verdict."""
        exercise = self.doc.scenario.exercise
        if exercise != self.exercise:
            self.exercise, self.verdict, self.hints_shown = exercise, None, 0
        self.actions["hint"].setEnabled(exercise is not None and bool(exercise.hints))
        self._show()

    def _show(self) -> None:
        if self.exercise is None:
            self.explanation.set_extra("")
            self.header.set_task("")
            return
        theme = self.explanation.theme
        self.explanation.set_extra(exercise_html(self.exercise, self.verdict,
                                                 self.hints_shown, theme),
                                   self.doc.scenario.about)
        # Presentation mode shows no explanation pane: the task, and how the last run
        # did, under the question.
        label = _("Your task:")
        task = f"<b>{html.escape(label)}</b> {html.escape(self.exercise.goal)}"
        if self.verdict is not None:
            task += f"<br>{_verdict_html(self.verdict, theme)}"
        self.header.set_task(task)

    def _finished(self) -> None:
        run = self.controller.runner
        scenario = getattr(run, "scenario", None)
        if run is None or scenario is None or scenario.exercise is None \
                or scenario.exercise != self.exercise:
            return  # (a traced script, or a run of something else)
        self.verdict = judge(scenario.exercise, run.store, speed=getattr(run, "speed", 1.0),
                             stopped=run.status is Status.STOPPED)
        self.console.note(_("— Exercise: {verdict} —").format(verdict=self.verdict.sentence()),
                          error=not self.verdict.met)
        name = self.doc.builtin
        if self.verdict.met and name is not None:  # (a built-in's or a pack's)
            solved = solved_exercises() | {name}
            settings().setValue(SOLVED_KEY, sorted(solved))
            self.gallery.mark_solved(solved)
        self._show()
        self.explanation.scrollToAnchor(VERDICT_ANCHOR)  # (below the fold on a small screen)

    def _link(self, url: QUrl) -> None:
        if url.toString() == HINT_LINK:
            self.next_hint()
