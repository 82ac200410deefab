"""Administration in the window: the workspace settings and the users with their roles."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ClearSlateError
from app.core.model import Role
from app.services import auth, workspaces
from app.services.auth import User
from app.store.workspace import Workspace
from app.ui.dialogs import (
    fit_combo,
    fit_height,
    message_label,
    password_field,
    policy_title,
    show_error,
)

# Settings the dialog edits as free text; the others get their own controls.
_TEXT_KEYS = (
    "title",
    "county",
    "court_name",
    "office_name",
    "attorney_name",
    "attorney_bar_number",
)
# The office address prints line by line in each filing's attorney block and on the notices.
_ADDRESS_KEY = "office_address"


class SettingsDialog(QDialog):
    """Workspace settings: shown to everyone, editable by an administrator; every change audited."""

    def __init__(self, ws: Workspace, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.user = ws, user
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Workspace settings"))
        values = workspaces.all_settings(ws)
        editable = user.can("settings")
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for key in _TEXT_KEYS:
            spec = workspaces.SETTING_KEYS[key]
            edit = QLineEdit(values[key])
            edit.setObjectName(key)
            edit.setAccessibleName(spec.label)
            edit.setToolTip(spec.help)
            edit.setReadOnly(not editable)
            self.edits[key] = edit
            form.addRow(spec.label + ":", edit)
        spec = workspaces.SETTING_KEYS[_ADDRESS_KEY]
        self.address = QPlainTextEdit(values[_ADDRESS_KEY])
        self.address.setObjectName(_ADDRESS_KEY)
        self.address.setAccessibleName(spec.label)
        self.address.setToolTip(self.tr("Street on one line, city, state and ZIP on the next."))
        self.address.setPlaceholderText(self.tr("1215 Truxtun Avenue\nBakersfield, CA 93301"))
        self.address.setTabChangesFocus(True)  # Tab moves on, as in the other fields
        self.address.setReadOnly(not editable)
        lines = self.address.fontMetrics().lineSpacing() * 3
        self.address.setFixedHeight(int(lines + 2 * self.address.frameWidth() + 8))
        form.addRow(spec.label + ":", self.address)
        self.policy = QLabel(policy_title(values["policy_id"]))
        self.policy.setObjectName("policyName")
        self.policy.setWordWrap(True)
        self.policy.setToolTip(self.tr("Policy pack %1").replace("%1", values["policy_id"]))
        form.addRow(self.tr("Policy:"), self.policy)
        self.idle = QSpinBox()
        self.idle.setObjectName("idle_lock_minutes")
        self.idle.setRange(1, 240)
        self.idle.setSuffix(self.tr(" minutes"))
        self.idle.setValue(
            int(values["idle_lock_minutes"]) if values["idle_lock_minutes"].isdigit() else 30
        )
        self.idle.setEnabled(editable)
        self.idle.setAccessibleName(workspaces.SETTING_KEYS["idle_lock_minutes"].label)
        form.addRow(workspaces.SETTING_KEYS["idle_lock_minutes"].label + ":", self.idle)
        self.four_eyes = QCheckBox(workspaces.SETTING_KEYS["four_eyes"].label)
        self.four_eyes.setObjectName("four_eyes")
        self.four_eyes.setChecked(values["four_eyes"] == "1")
        self.four_eyes.setEnabled(editable)
        form.addRow("", self.four_eyes)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
            if editable
            else QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if not editable:
            layout.addWidget(QLabel(self.tr("Only an administrator can change these settings.")))
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(620, self.sizeHint().height())

    def save(self) -> None:
        changes = {key: edit.text().strip() for key, edit in self.edits.items()}
        lines = (line.strip() for line in self.address.toPlainText().splitlines())
        changes[_ADDRESS_KEY] = "\n".join(line for line in lines if line)
        changes["idle_lock_minutes"] = str(self.idle.value())
        changes["four_eyes"] = "1" if self.four_eyes.isChecked() else "0"
        current = workspaces.all_settings(self.ws)
        try:
            with self.ws.transaction():
                for key, value in changes.items():
                    if current.get(key) != value:
                        workspaces.change_setting(self.ws, key, value, by=self.user)
        except ClearSlateError as exc:
            show_error(self, str(exc))
            return
        self.accept()


class UsersDialog(QDialog):
    """Users and roles (administrators): add, change role, unlock, disable or enable."""

    def __init__(self, ws: Workspace, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.user = ws, user
        self.setObjectName("usersDialog")
        self.setWindowTitle(self.tr("Users"))
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("User"), self.tr("Full name"), self.tr("Role"), self.tr("State")]
        )
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the full name
        header.setMinimumSectionSize(90)
        # The role box follows the selected user, so "Set role" starts from their role.
        self.table.itemSelectionChanged.connect(self._show_selected_role)

        self.new_name = QLineEdit()
        self.new_name.setObjectName("newUserName")
        self.new_name.setPlaceholderText(self.tr("user name"))
        self.new_name.setAccessibleName(self.tr("New user name"))
        self.new_role = QComboBox()
        self.new_role.setObjectName("newUserRole")
        self.new_role.setAccessibleName(self.tr("New user role"))
        for role in Role:
            self.new_role.addItem(role.value, role.value)
        fit_combo(self.new_role)
        self.new_full_name = QLineEdit()
        self.new_full_name.setObjectName("newUserFullName")
        self.new_full_name.setPlaceholderText(self.tr("full name, as filings print it"))
        self.new_full_name.setAccessibleName(self.tr("New user's full name"))
        self.new_password = password_field("newUserPassword", self.tr("New user password"))
        self.new_password.setPlaceholderText(self.tr("initial password (8+ characters)"))
        add = QPushButton(self.tr("&Add user"))
        add.clicked.connect(self.add_user)
        add_row = QHBoxLayout()
        for w in (self.new_name, self.new_full_name, self.new_role, self.new_password, add):
            add_row.addWidget(w)

        self.role_box = QComboBox()
        self.role_box.setAccessibleName(self.tr("Role of the selected user"))
        for role in Role:
            self.role_box.addItem(role.value, role.value)
        self.role_box.setObjectName("selectedUserRole")
        fit_combo(self.role_box)
        set_role = QPushButton(self.tr("Set &role"))
        set_role.clicked.connect(self.set_role)
        unlock = QPushButton(self.tr("&Unlock"))
        unlock.clicked.connect(
            lambda: self._apply(lambda name: auth.unlock_user(self.ws, name, by=self.user))
        )
        disable = QPushButton(self.tr("&Disable"))
        disable.clicked.connect(
            lambda: self._apply(lambda name: auth.set_disabled(self.ws, name, True, by=self.user))
        )
        enable = QPushButton(self.tr("&Enable"))
        enable.clicked.connect(
            lambda: self._apply(lambda name: auth.set_disabled(self.ws, name, False, by=self.user))
        )
        set_name = QPushButton(self.tr("Set &name…"))
        set_name.setObjectName("setUserName")
        set_name.clicked.connect(self.set_full_name)
        set_password = QPushButton(self.tr("Set pass&word…"))
        set_password.setObjectName("setUserPassword")
        set_password.clicked.connect(self.set_password)
        row = QHBoxLayout()
        for w in (self.role_box, set_role, set_name, set_password, unlock, disable, enable):
            row.addWidget(w)
        row.addStretch(1)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(QLabel(self.tr("Add a user:")))
        layout.addLayout(add_row)
        layout.addWidget(close)
        self.resize(820, 420)
        self.refresh()

    def refresh(self) -> None:
        records = auth.list_users(self.ws, by=self.user)
        self.table.setRowCount(len(records))
        for i, r in enumerate(records):
            state = (
                ", ".join(s for s, on in (("locked", r.locked), ("disabled", r.disabled)) if on)
                or "active"
            )
            for j, text in enumerate((r.username, r.full_name or "", r.role.value, state)):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def _show_selected_role(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            index = self.role_box.findData(self.table.item(rows[0].row(), 2).text())
            self.role_box.setCurrentIndex(max(index, 0))

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).text() if rows else None

    def _chosen(self) -> str | None:
        """The selected user's name, or None after saying that one must be selected."""
        name = self.selected()
        if not name:
            show_error(self, self.tr("Select a user first."))
        return name

    def _apply(self, change) -> None:  # type: ignore[no-untyped-def]
        name = self._chosen()
        if not name:
            return
        try:
            change(name)
        except ClearSlateError as exc:
            show_error(self, str(exc))
        self.refresh()

    def set_role(self) -> None:
        role = Role(self.role_box.currentData())
        self._apply(lambda name: auth.set_role(self.ws, name, role, by=self.user))

    def set_full_name(self) -> None:
        """The name filings print for the selected user ("signed off by Dana Reyes")."""
        name = self._chosen()
        if not name:
            return
        current = self.table.item(self.table.selectionModel().selectedRows()[0].row(), 1).text()
        text, ok = QInputDialog.getText(
            self,
            self.tr("Full name"),
            self.tr("Full name of %1, as the filings print it (empty: the user name):").replace(
                "%1", name
            ),
            QLineEdit.EchoMode.Normal,
            current,
        )
        if ok:
            self._apply(lambda user: auth.set_full_name(self.ws, user, text, by=self.user))

    def set_password(self) -> None:
        """A new password for the selected user (one who forgot theirs)."""
        name = self._chosen()
        if name:
            PasswordDialog(self.ws, self.user, name, self).exec()

    def add_user(self) -> None:
        try:
            auth.create_user(
                self.ws,
                self.new_name.text(),
                self.new_password.text(),
                Role(self.new_role.currentData()),
                by=self.user,
                full_name=self.new_full_name.text(),
            )
        except ClearSlateError as exc:
            show_error(self, str(exc))
            return
        self.new_name.clear()
        self.new_full_name.clear()
        self.new_password.clear()
        self.refresh()


class PasswordDialog(QDialog):
    """A new password, typed twice: an administrator's for another user, or the user's own
    (then the current password first, so that nobody at an unlocked laptop can change it)."""

    def __init__(
        self, ws: Workspace, user: User, username: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ws, self.user, self.username = ws, user, username
        self.own = username.lower() == user.username.lower()
        self.setObjectName("passwordDialog")
        self.setWindowTitle(
            self.tr("Change your password")
            if self.own
            else self.tr("New password for %1").replace("%1", username)
        )
        form = QFormLayout()
        self.current = password_field("currentPassword", self.tr("Current password"))
        if self.own:
            form.addRow(self.tr("Current password:"), self.current)
        self.new = password_field("newPassword", self.tr("New password"))
        self.new.setPlaceholderText(self.tr("8 or more characters"))
        self.again = password_field("newPasswordAgain", self.tr("New password again"))
        form.addRow(self.tr("New password:"), self.new)
        form.addRow(self.tr("Again:"), self.again)
        self.message = message_label("passwordMessage")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Change password"))
        buttons.accepted.connect(self.change)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(420, self.sizeHint().height())

    def change(self) -> None:
        if self.new.text() != self.again.text():
            self._say(self.tr("The two new passwords differ: type them again."))
            return
        try:
            if self.own:
                auth.reauthenticate(self.ws, self.user, self.current.text(), purpose="password")
            auth.change_password(self.ws, self.username, self.new.text(), by=self.user)
        except ClearSlateError as exc:
            self._say(str(exc))
            return
        self.accept()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.new.clear()
        self.again.clear()
        self.new.setFocus()
        fit_height(self)
