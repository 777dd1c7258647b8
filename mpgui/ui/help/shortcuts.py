"""Help → Keyboard Shortcuts: every key of the window, read from its QActions when the
dialog opens (so the list cannot drift from the menus), grouped by the menu each action
lives in, with a search box that filters as you type."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from mpgui.i18n import _
from mpgui.ui.accessibility import accessible

PRESENTATION = _("Presentation mode")  # the single keys, which work with the menu bar hidden
OTHER = _("Other keys")  # window shortcuts that are in no menu and are no single key
_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
              | Qt.KeyboardModifier.MetaModifier)
_LOCAL = (Qt.ShortcutContext.WidgetShortcut, Qt.ShortcutContext.WidgetWithChildrenShortcut)


def plain_text(text: str) -> str:
    """A menu text without its mnemonic: "Save &As…" → "Save As…" ("&&" is an "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def native_keys(keys: list[QKeySequence]) -> tuple[str, ...]:
    """Key sequences as the platform writes them: ("F5", "Ctrl+R")."""
    return tuple(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys
                 if not k.isEmpty())


def keys_text(action: QAction, sep: str = ", ") -> str:
    """The action's shortcuts in one line: "F5, Ctrl+R" (with `sep` between)."""
    return sep.join(native_keys(action.shortcuts()))


def what_it_does(action: QAction) -> str:
    """The action's status tip, else its tooltip unless that is only the text (Qt's
    default)."""
    tip = action.statusTip() or action.toolTip()
    return "" if plain_text(tip) == plain_text(action.text()) else tip


@dataclass(frozen=True)
class ShortcutRow:
    """One line of the list: an action, the group it is shown under and its keys."""

    group: str
    action: QAction
    keys: tuple[str, ...]  # as the platform writes them: ("F5", "Ctrl+R")

    @property
    def keys_text(self) -> str:
        """The keys in one line: "F5, Ctrl+R"."""
        return ", ".join(self.keys)

    @property
    def text(self) -> str:
        """The action's name, without its mnemonic."""
        return plain_text(self.action.text())

    @property
    def tip(self) -> str:
        """What the action does."""
        return what_it_does(self.action)

    def matches(self, query: str) -> bool:
        """True if every word of `query` is in the name, keys, tip or group."""
        hay = " ".join((self.group, self.text, *self.keys, self.tip)).lower()
        return all(word in hay for word in query.lower().split())


def _menu_actions(menu: QMenu) -> Iterator[QAction]:
    for act in menu.actions():
        sub = act.menu()
        if isinstance(sub, QMenu):
            yield from _menu_actions(sub)
        elif not act.isSeparator():
            yield act


def _single_keys(action: QAction) -> list[QKeySequence]:
    """The shortcuts of `action` that are one key without Ctrl, Alt or Meta."""
    return [k for k in action.shortcuts()
            if k.count() == 1 and not k[0].keyboardModifiers() & _MODIFIERS]


def shortcut_rows(window: QMainWindow) -> list[ShortcutRow]:
    """Every action of `window` that has a shortcut: under the top-level menu it is in
    (in menu-bar order), then the single keys usable in presentation mode (window-wide
    actions, which work without the menu bar), then window actions in no menu."""
    rows: list[ShortcutRow] = []
    in_menus: set[QAction] = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        for act in _menu_actions(menu):
            if act not in in_menus and not act.shortcut().isEmpty():
                in_menus.add(act)
                rows.append(ShortcutRow(plain_text(top.text()), act,
                                        native_keys(act.shortcuts())))
    single = [a for a in window.actions()
              if a.shortcutContext() not in _LOCAL and _single_keys(a)]
    rows += [ShortcutRow(PRESENTATION, a, native_keys(_single_keys(a))) for a in single]
    listed = in_menus.union(single)
    rows += [ShortcutRow(OTHER, a, native_keys(a.shortcuts())) for a in window.actions()
             if not a.shortcut().isEmpty() and a not in listed]
    return rows


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their text wrapped to the columns' widths (a tree view measures
    text unwrapped, and elides it)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # Qt override
        opt = QStyleOptionViewItem(option)
        opt.rect = QRect(0, 0, max(self.tree.columnWidth(index.column()), 1), 1)
        return super().sizeHint(opt, index)


class ShortcutsDialog(QDialog):
    """The list of shortcuts with a search box; `refresh()` reads the window again."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle(_("Keyboard Shortcuts — mpgui"))
        self.source = window
        self.rows: list[ShortcutRow] = []
        self.search = QLineEdit()
        self.search.setPlaceholderText(
            _("Filter: type a word or a key, e.g. save, replay, Ctrl+S"))
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip(_("Shows only the shortcuts whose name, keys or description "
                                 "contain every word you type"))
        accessible(self.search, _("Filter shortcuts"), self.search.toolTip())
        self.tree = accessible(QTreeWidget(), _("Keyboard shortcuts"),
                               _("Each action: its name, its keys and what it does"))
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([_("Action"), _("Keys"), _("What it does")])
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setWordWrap(True)  # long descriptions wrap rather than scroll sideways
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setItemDelegate(_WrappingDelegate(self.tree))
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # see _fit_columns
        # A narrower column wraps into taller rows: measure them again.
        header.sectionResized.connect(lambda _col, _old, _new: self.tree.doItemsLayout())
        self.count = QLabel()
        self.count.setEnabled(False)  # muted, like the panels' hints
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        accessible(buttons.button(QDialogButtonBox.StandardButton.Close), _("Close"),
                   _("Close the list of shortcuts"))
        # Enter in the search box must not close the dialog.
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self.apply_filter)

    def open_fresh(self) -> None:
        """Read the window's actions again, clear the filter and show the dialog."""
        self.refresh()
        self.search.clear()
        if not self.isVisible():
            self._fit_screen()
        self.show()
        self._fit_columns()
        self.raise_()
        self.activateWindow()
        self.search.setFocus()

    def refresh(self) -> None:
        """List the window's shortcuts as they are now."""
        self.rows = shortcut_rows(self.source)
        self._fill()

    def visible_rows(self) -> list[ShortcutRow]:
        """The rows the filter lets through."""
        shown = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            shown += [group.child(i).data(0, Qt.ItemDataRole.UserRole)
                      for i in range(group.childCount()) if not group.child(i).isHidden()]
        return shown

    def apply_filter(self, query: str) -> None:
        """Hide the rows (and groups) that do not match `query`."""
        shown = 0
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            visible = 0
            for i in range(group.childCount()):
                item = group.child(i)
                hit = item.data(0, Qt.ItemDataRole.UserRole).matches(query)
                item.setHidden(not hit)
                visible += hit
            group.setHidden(visible == 0)
            shown += visible
        total = len(self.rows)
        self.count.setText(_("{total} shortcuts").format(total=total) if shown == total else
                           _("{shown} of {total} shortcuts").format(shown=shown, total=total)
                           if shown else
                           _("No shortcut matches “{query}”.").format(query=query.strip()))

    def _fill(self) -> None:
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        bold = self.font()
        bold.setBold(True)
        for row in self.rows:
            group = groups.get(row.group)
            if group is None:
                group = groups[row.group] = QTreeWidgetItem(self.tree, [row.group])
                group.setFont(0, bold)
                group.setFirstColumnSpanned(True)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item = QTreeWidgetItem(group, [row.text, row.keys_text, row.tip])
            item.setData(0, Qt.ItemDataRole.UserRole, row)
        self.tree.expandAll()
        self._fit_columns()
        self.apply_filter(self.search.text())

    def _fit_columns(self) -> None:
        """Names and keys as wide as the widest (of all rows: filtering moves nothing),
        but at most about half the width together, so the description keeps room; what
        does not fit wraps (several keys one under another)."""
        fm = self.tree.fontMetrics()
        pad = 3 * fm.averageCharWidth()
        room = self.tree.viewport().width()
        names = max((fm.horizontalAdvance(r.text) for r in self.rows), default=0)
        keys = max((fm.horizontalAdvance(k) for r in self.rows for k in r.keys), default=0)
        self.tree.setColumnWidth(0, min(names + pad + self.tree.indentation(), room * 3 // 10))
        self.tree.setColumnWidth(1, min(keys + pad, room // 4))

    def _fit_screen(self) -> None:
        """Wide enough for the longest names and a readable description, never larger
        than the screen (1024 x 768 included), in units of the zoomed font."""
        fm = self.fontMetrics()
        screen = (self.source.screen() or self.screen()).availableGeometry()
        self.resize(min(fm.averageCharWidth() * 120, int(screen.width() * 0.92)),
                    min(fm.lineSpacing() * 36, int(screen.height() * 0.88)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._fit_columns()

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self.rows:  # the zoom: bold follows
            self._fill()

