"""What the admin does to one store from the TUI (add, view, edit, activate or deactivate, delete): each
opens its screen or asks, calls the registry, and says in one notification what became of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from asc_tui.domain import StoreDraft, StoreEdit, StoreStatus
from asc_tui.errors import AscError, StoreChanged, StoreNameTaken, StoreValidationError
from asc_tui.i18n import _
from asc_tui.ui.text import fill, literal, plain

if TYPE_CHECKING:
    from asc_tui.storage.models import Store
    from asc_tui.ui.app import AscApp

T = TypeVar("T")


class StoreActions:
    def __init__(self, app: AscApp) -> None:
        self.app = app

    def add(self) -> None:
        from asc_tui.ui.screens.add_store import AddStoreModal

        app = self.app
        if app.catalog is None:
            app.defer_until_ready(self.add)
            return

        def save(draft: StoreDraft) -> Store:
            if not app.ready:  # the form opened on the catalog alone; what was typed stays in it
                app.notify(
                    _("Still opening the store registry; press ctrl+s again in a moment."), severity="warning"
                )
                raise StoreValidationError({})
            store = self._form_save(lambda: app.registry.stores.add(draft))
            if store is None:  # only an edit meets a store changed meanwhile; the form stays open
                raise StoreValidationError({})
            return store

        def done(store: Store | None) -> None:
            if store is None:
                return
            app.reload(focus_id=store.id)
            app.notify(
                _("Store “{name}” added. Next: connect it to Amazon Seller Central (c).").format(
                    name=plain(store.name)
                ),
                title=_("Store added"),
                markup=False,
            )

        app.push_screen(AddStoreModal(app.catalog, save), done)

    def view(self, store: Store) -> None:
        from asc_tui.ui.screens.store_view import StoreViewScreen

        self.app.push_screen(StoreViewScreen(store))

    def edit(self, store: Store) -> None:
        from asc_tui.ui.screens.edit_store import EditStoreModal

        app = self.app

        def save(change: StoreEdit) -> Store | None:
            return self._form_save(lambda: app.registry.stores.edit(store.id or 0, change, store.version))

        def done(updated: Store | None) -> None:
            if updated is not None:
                app.reload(focus_id=updated.id)
                app.notify(_("Store “{name}” saved.").format(name=plain(updated.name)), markup=False)

        app.push_screen(EditStoreModal(store, self._website_name(store), save), done)

    def toggle(self, store: Store) -> None:
        app = self.app
        activate = store.status != StoreStatus.ACTIVE.value
        updated = app.service_call(
            lambda: app.registry.stores.set_active(store.id or 0, activate, store.version)
        )
        if updated is not None:
            app.reload(focus_id=updated.id)
            message = (
                _("Store “{name}” activated.")
                if updated.status == StoreStatus.ACTIVE.value
                else _("Store “{name}” deactivated.")
            )
            app.notify(message.format(name=plain(updated.name)), markup=False)

    def delete(self, store: Store) -> None:
        from asc_tui.ui.screens.confirm import ConfirmModal
        from asc_tui.ui.screens.store_view import StoreViewScreen

        app = self.app
        question = fill(
            _(
                "Delete the store “{name}” ({country}, website {website})?\n\n"
                "This cannot be undone: its activity log and its saved Amazon authorization are removed too."
            ),
            name=literal(store.name, "bold"),
            country=store.country,
            website=store.website,
        )

        def done(confirmed: bool | None) -> None:
            if not confirmed:
                return
            deleted = app.service_call(lambda: app.registry.delete_store(store.id or 0, store.version))
            if deleted is None:
                return
            if isinstance(app.screen, StoreViewScreen):
                app.pop_screen()
            app.reload()
            app.notify(_("Store “{name}” deleted.").format(name=plain(store.name)), markup=False)

        app.push_screen(ConfirmModal(_("Delete store"), question, _("Delete")), done)

    def _website_name(self, store: Store) -> str | None:
        catalog = self.app.catalog
        website = catalog.website(store.website) if catalog else None
        return website.name if website else None

    def _form_save(self, save: Callable[[], T]) -> T | None:
        """A form's save: errors per field stay in the form; anything else is one notification.

        A store someone else changed meanwhile closes the form (None) and reloads; a database problem
        keeps the form open with what was typed, to save again once the database answers.
        """
        app = self.app
        try:
            return save()
        except StoreValidationError:
            raise
        except StoreNameTaken as exc:  # another admin took the name a moment ago
            raise StoreValidationError({"name": str(exc)}) from None
        except StoreChanged as exc:
            app.notify(str(exc), severity="warning", markup=False, timeout=10)
            app.reload()
            return None
        except AscError as exc:
            app.notify(str(exc), severity="error", markup=False, timeout=10)
            raise StoreValidationError({}) from None
