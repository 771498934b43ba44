"""The Export tab: a license template, the licensee, purposes and expiry, where to write, and the
signing key (or a new key pair); the button writes the signed bundle and verifies it, or lists
the compliance checks that fail."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from anonlab.jupyter.panel.tabs._html import message, table

if TYPE_CHECKING:
    from anonlab.jupyter.panel.panel import ExportOutcome, Panel

__all__ = ["TEMPLATE_IDS", "ExportTab"]

TEMPLATE_IDS = (
    "hipaa-safe-harbor",
    "hipaa-expert-determination",
    "gdpr-anonymous",
    "gdpr-pseudonymous-research",
    "ccpa-deidentified",
    "internal-ml",
    "vendor-analytics",
)


def _templates() -> dict[str, Any]:
    try:
        from anonlab.licensing.templates import templates
    except ImportError:
        return {}
    return templates()


class ExportTab:
    """The Export tab of a :class:`~anonlab.jupyter.panel.Panel`.

    Attributes
    ----------
    template, licensee, licensor, purposes, expires, path, signing_key, public_key : widgets
        The export's settings (``expires`` is a DatePicker).
    generate_keys : ipywidgets.Button
        Writes a new Ed25519 key pair at ``<signing key without .key>`` and fills in both paths.
    export : ipywidgets.Button
        Writes the bundle (in the background) and verifies it.
    output : ipywidgets.HTML
        The bundle's path and verification, or the failing checks.
    """

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        found = _templates()
        ids = list(found) or list(TEMPLATE_IDS)
        wide = w.Layout(width="34em")
        style = {"description_width": "9em"}
        options = [(f"{i} — {found[i].title}" if i in found else i, i) for i in ids]
        self.template = w.Dropdown(options=options, value=ids[0], description="template",
                                   layout=wide, style=style)
        self.licensee = w.Text(description="licensee", placeholder="who receives the data",
                               layout=wide, style=style)
        self.licensee_keys = w.Text(
            description="licensee keys",
            placeholder="identity .pub files, comma-separated (who may open it)",
            layout=wide, style=style)
        self.licensor = w.Text(description="licensor", placeholder="(the template's default)",
                               layout=wide, style=style)
        self.purposes = w.SelectMultiple(description="purposes", rows=4, layout=wide,
                                         style=style)
        self.expires = w.DatePicker(description="expires", style=style)
        self.path = w.Text(value="anonlab-bundle", description="output folder", layout=wide,
                           style=style)
        self.signing_key = w.Text(value="keys/licensor.key", description="signing key",
                                  layout=wide, style=style)
        self.public_key = w.Text(value="keys/licensor.pub", description="public key",
                                 layout=wide, style=style)
        self.generate_keys = w.Button(description="generate key pair", icon="key")
        self.generate_keys.add_class("anonlab-generate-keys")
        self.generate_keys.on_click(lambda _: self._generate())
        self.export = w.Button(description="export bundle", icon="download",
                               button_style="primary")
        self.export.add_class("anonlab-export")
        self.export.on_click(lambda _: panel.export_async(**self.settings()))
        self.output = w.HTML()
        self.output.add_class("anonlab-export-output")
        for name in ("template", "licensee", "licensee_keys", "licensor", "purposes",
                     "expires", "path",
                     "signing_key", "public_key"):
            getattr(self, name).add_class(f"anonlab-export-{name.replace('_', '-')}")
        self.template.observe(lambda _: self._template_changed(), names="value")
        self._template_changed()
        self.widget = w.VBox([
            self.template, self.licensee, self.licensee_keys, self.licensor, self.purposes,
            self.expires, self.path,
            w.HBox([self.signing_key, self.generate_keys]), self.public_key, self.export,
            self.output,
        ])

    def _template_changed(self) -> None:
        tpl = _templates().get(self.template.value)
        purposes = tuple(getattr(tpl, "permitted_purposes", ()) or ())
        self.purposes.options = purposes
        self.purposes.value = purposes
        term = getattr(tpl, "default_term", None)
        if isinstance(term, dt.timedelta):
            self.expires.value = dt.date.today() + term

    def settings(self) -> dict[str, Any]:
        """The export's settings as keywords of :meth:`Panel.export`."""
        return {
            "template": self.template.value,
            "licensee": self.licensee.value.strip(),
            "licensee_keys": [k.strip() for k in self.licensee_keys.value.split(",")
                              if k.strip()] or None,
            "licensor": self.licensor.value.strip() or None,
            "purposes": list(self.purposes.value) or None,
            "expires": self.expires.value,
            "path": self.path.value.strip(),
            "signing_key": self.signing_key.value.strip(),
            "public_key": self.public_key.value.strip() or None,
        }

    def _generate(self) -> None:
        private = self.signing_key.value.strip() or "keys/licensor.key"
        prefix = private[:-4] if private.endswith(".key") else private
        try:
            private_path, public_path = self.panel.generate_keypair(prefix)
        except Exception as exc:  # shown, never raised from a button
            self.output.value = message(str(exc), "error")
            return
        self.signing_key.value = str(private_path)
        self.public_key.value = str(public_path)
        self.output.value = message(f"New key pair: {private_path} (private, keep it safe) and "
                                    f"{public_path} (give it to recipients).", "ok")

    def show_running(self) -> None:
        """Say that the bundle is being written."""
        self.output.value = message("writing the bundle…")

    def show(self, outcome: ExportOutcome) -> None:
        """Show an export's outcome."""
        if outcome.failures:
            rows = [(f.name, getattr(f, "detail", "")) for f in outcome.failures]
            self.output.value = (
                message(f"No bundle: {len(rows)} compliance check(s) of "
                        f"{outcome.template} fail.", "error")
                + table(("check", "what failed"), rows, css="anonlab-failures")
            )
            return
        if outcome.error:
            self.output.value = message(outcome.error, "error")
            return
        v = outcome.verification
        verified = (escape(v.summary()) if v is not None and hasattr(v, "summary")
                    else "verified")
        self.output.value = (
            message(f"Bundle written to {outcome.path}", "ok")
            + f'<div class="anonlab-verified">&#10003; {verified}</div>'
        )
