"""Maps of the story that render anywhere, offline first.

A stock folium map loads Leaflet and friends from CDNs and its background from OpenStreetMap's tile servers:
without internet it is a blank box. The course's maps inline Leaflet and jQuery (from the PyPI packages
``xstatic-leaflet`` and ``xstatic-jquery``) and draw country outlines from ``data/geo/countries-110m.geojson``,
so they render in a firewalled classroom, in CI and on a train. An OpenStreetMap layer is offered, switched
off, for readers who are online.

``online=True`` (or the environment variable ``COURSE_MAPS_ONLINE=1``) builds lighter maps that load Leaflet
from a CDN and show the OpenStreetMap layer.

Every builder returns a :class:`CourseMap`: the folium map, a title and caption, and a text alternative (a
table of what the map shows) for screen readers and printed handouts. In a notebook it displays all three.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import folium
import jinja2
import pandas as pd
import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet
from branca.element import Figure, MacroElement, Template

from course.content.data import format_date, load, split_ids
from course.content.geo import great_circle_points, haversine_km
from course.content.reactions import COMMITMENTS, STANCES
from course.content.records import reaction_records, text
from course.paths import data_dir
from course.views.display import Table

ONLINE_ENV = "COURSE_MAPS_ONLINE"
OUTLINES_FILE = "geo/countries-110m.geojson"
BOUNDARY_NOTE = (
    "Country outlines: Natural Earth 1:110m, which draws boundaries where control lies on the ground "
    "(so Crimea appears inside Russia's outline); outlines show control, not sovereignty."
)
CDN = {
    "leaflet_js": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    "jquery_js": "https://code.jquery.com/jquery-3.7.1.min.js",
    "leaflet_css": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
}
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

#: Okabe-Ito colours (safe for colour-blind readers) plus a glyph and a word: colour is never the only cue.
STANCE_STYLE: dict[str, tuple[str, str]] = {
    "endorsement": ("#0072B2", "+"),
    "non-committal": ("#F0E442", "○"),
    "concern": ("#E69F00", "!"),
    "condemnation": ("#D55E00", "✕"),
    "warning": ("#CC79A7", "⚠"),
}

_CSS = """
.folium-map.leaflet-container { background: #dbe9f4; font: 13px/1.4 system-ui, sans-serif; }
.course-label { font-weight: 600; color: #1a1a1a; white-space: nowrap;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; }
.course-distance { font-size: 12px; color: #333; background: rgba(255,255,255,.85); border-radius: 3px;
  padding: 0 3px; white-space: nowrap; display: inline-block; }
.course-badge { width: 22px; height: 22px; border: 2px solid #1a1a1a; border-radius: 50%; text-align: center;
  line-height: 18px; font-size: 13px; font-weight: 700; color: #000; box-sizing: border-box; }
.course-approximate { border-style: dashed; background: rgba(255,255,255,.9); }
.course-popup-open .course-legend-box, .course-popup-open .leaflet-control-layers { visibility: hidden; }
.course-legend summary { cursor: pointer; font-weight: 700; }
.course-legend { background: rgba(255,255,255,.95); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); line-height: 1.6; }
.course-legend .course-badge { display: inline-block; vertical-align: middle; margin-right: 4px; }
.course-card { background: rgba(255,255,255,.92); border: 1px solid #666; border-radius: 4px; padding: 2px 4px;
  white-space: nowrap; box-shadow: 0 1px 3px rgba(0,0,0,.25); }
.course-card b { display: block; font-size: 12px; }
.course-card .course-badge { display: inline-block; margin-right: 2px; }
.course-empty { font-size: 15px; background: #fff; padding: 8px 12px; border: 1px solid #999;
  border-radius: 4px; white-space: normal; width: 280px; }
"""


class MapError(ValueError):
    """A map was asked for something that cannot be drawn (an unknown place, a missing coordinate, ...)."""


# ---- assets ------------------------------------------------------------------------------------------


def _data_uri(mime: str, content: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


@lru_cache(maxsize=1)
def offline_assets() -> dict[str, str]:
    """Return Leaflet's JS and CSS and jQuery as ``data:`` URIs (Leaflet's CSS images inlined too)."""
    leaflet_dir = Path(xleaflet.BASE_DIR)
    js = (leaflet_dir / "leaflet.js").read_bytes()
    js = re.sub(rb"//# sourceMappingURL=\S+", b"", js)
    css = (leaflet_dir / "leaflet.css").read_text(encoding="utf-8")

    def inline_image(match: re.Match) -> str:
        path = leaflet_dir / match.group(1)
        return f"url({_data_uri('image/png', path.read_bytes())})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline_image, css)
    jquery = (Path(xjquery.BASE_DIR) / "jquery.min.js").read_bytes()
    jquery = re.sub(rb"//# sourceMappingURL=\S+", b"", jquery)
    return {
        "leaflet_js": _data_uri("text/javascript", js),
        "jquery_js": _data_uri("text/javascript", jquery),
        "leaflet_css": _data_uri("text/css", css.encode("utf-8")),
    }


def is_online(online: bool | None = None) -> bool:
    """Resolve the online switch: the argument if given, else ``$COURSE_MAPS_ONLINE`` (default offline)."""
    if online is not None:
        return bool(online)
    return os.environ.get(ONLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


class CourseFoliumMap(folium.Map):
    """folium.Map with only Leaflet and jQuery (no Bootstrap, Font Awesome or awesome-markers): inlined, or from a
    CDN when ``online``. folium reads ``default_js`` and ``default_css`` when it renders (``JSCSSMixin``)."""

    def __init__(self, *args, online: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        assets = CDN if online else offline_assets()
        self.default_js = [("leaflet", assets["leaflet_js"]), ("jquery", assets["jquery_js"])]
        self.default_css = [("leaflet_css", assets["leaflet_css"])]


@lru_cache(maxsize=4)
def _outlines(folder: str) -> dict:
    path = Path(folder) / OUTLINES_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MapError(f"{path} is missing: rebuild it with python data/prep/countries_110m.py") from None


def _feature_box(feature: dict) -> tuple[float, float, float, float]:
    geometry = feature["geometry"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    lons = [p[0] for poly in polygons for ring in poly for p in ring]
    lats = [p[1] for poly in polygons for ring in poly for p in ring]
    return min(lats), min(lons), max(lats), max(lons)


def outlines_within(bounds: list[list[float]], margin: float = 25.0) -> dict:
    """Return the country outlines whose bounding box meets ``bounds`` widened by ``margin`` degrees.

    Keeping only the countries near the map keeps its HTML small.
    """
    (south, west), (north, east) = bounds
    south, west, north, east = south - margin, west - margin, north + margin, east + margin
    collection = _outlines(str(data_dir()))
    kept = []
    for feature in collection["features"]:
        s, w, n, e = _feature_box(feature)
        if s <= north and n >= south and w <= east and e >= west:
            kept.append(feature)
    return {"type": "FeatureCollection", "features": kept}


# ---- the map and its text alternative ------------------------------------------------------------------


@dataclass
class CourseMap:
    """A folium map with its title, caption and text alternative.

    Attributes
    ----------
    map : folium.Map
    title : str
    caption : str
        What the map shows and how to read it (the boundary convention included).
    table : pandas.DataFrame
        The text alternative: every marker, line or event on the map, one row each.
    empty : bool
        True when the selection had nothing to show (the map says so in its middle).
    """

    map: object
    title: str
    caption: str
    table: object
    empty: bool = False
    notes: list[str] = field(default_factory=list)

    def html(self) -> str:
        """Return the map as a standalone HTML page."""
        return self.map.get_root().render()

    def save(self, path: str | Path) -> Path:
        """Write the standalone HTML page to ``path`` and return it."""
        path = Path(path)
        path.write_text(self.html(), encoding="utf-8")
        return path

    def text_alternative(self) -> str:
        """Return the caption and the table as plain text."""
        lines = [self.title, self.caption, *self.notes]
        lines.append(self.table.to_string(index=False) if len(self.table) else "(nothing to show)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        table_html = (
            Table(self.table.reset_index(drop=True), caption=f"{self.title}: the data").to_html()
            if len(self.table)
            else "<p>Nothing to show.</p>"
        )
        # Notes say what the map leaves out or marks for orientation: shown under the map, not folded away.
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        notes = f'<div class="course-map-notes">{notes}</div>' if notes else ""
        return (
            f'<figure class="course-map" aria-label="{html.escape(self.title)}" style="margin:0">'
            f"<figcaption><b>{html.escape(self.title)}</b>. {html.escape(self.caption)}</figcaption>"
            + self.map._repr_html_().replace(
                "<iframe ", f'<iframe title="{html.escape(self.title)}: map" ', 1
            )
            + f"{notes}"
            f'<details class="course-map-text"><summary>Text alternative: what this map shows</summary>'
            f"{table_html}</details></figure>"
        )


class EnglishPage(Figure):
    """branca's page, declaring the document's language (axe: html-has-lang, serious): a screen reader otherwise
    guesses the language to read the map's labels and popups in. A subclass with its own template is how branca
    and folium extend an element; nothing of a Figure is set from outside."""

    _template = jinja2.Template(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        "{% if this.title %}<title>{{this.title}}</title>{% endif %}"
        "    {{this.header.render(**kwargs)}}\n</head>\n<body>\n    {{this.html.render(**kwargs)}}\n</body>\n"
        "<script>\n    {{this.script.render(**kwargs)}}\n</script>\n</html>\n"
    )


def _base_map(bounds: list[list[float]], online: bool | None, title: str):
    online = is_online(online)
    fmap = CourseFoliumMap(tiles=None, control_scale=True, zoom_control=True, online=online)
    page = EnglishPage(title=html.escape(title))  # the map's own page: its title, in <head>, and its language
    page.add_child(fmap)  # folium made the map a page of its own; this one replaces it
    page.header.add_child(folium.Element(f"<style>{_CSS}</style>"))
    folium.TileLayer(
        OSM_TILES,
        name="OpenStreetMap (needs internet)",
        attr=OSM_ATTRIBUTION,
        overlay=True,
        control=True,
        show=online,
    ).add_to(fmap)
    folium.GeoJson(
        outlines_within(bounds),
        name="Country outlines (Natural Earth, de facto boundaries)",
        style_function=lambda _feature: {
            "fillColor": "#f4f1e8",
            "color": "#8a8a8a",
            "weight": 1,
            "fillOpacity": 1,
        },
        highlight_function=lambda _feature: {"weight": 2, "color": "#333"},
        # Below the pointer: place labels and cards sit beside or above their dot, never under it.
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False, direction="bottom", offset=(0, 16)),
        attr="Natural Earth (de facto boundaries)",
    ).add_to(fmap)
    fmap.fit_bounds(bounds, padding=(20, 20))
    return fmap


#: Place labels that would overlap an earlier label (labels are added most important first) or run off the map are
#: hidden, and shown again when zooming in makes room; every place keeps its tooltip and its row in the table.
_DECLUTTER = (
    " function declutter() { var kept = [], box = m.getContainer().getBoundingClientRect();"
    " m.getContainer().querySelectorAll('.course-label').forEach(function (el) {"
    " el.style.visibility = ''; var r = el.getBoundingClientRect();"
    " var clash = r.right > box.right || r.left < box.left || kept.some(function (k) {"
    " return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top; });"
    " if (clash) { el.style.visibility = 'hidden'; el.setAttribute('data-hidden', 'overlap'); }"
    " else { el.removeAttribute('data-hidden'); kept.push(r); } }); }"
    " m.whenReady(function () { setTimeout(declutter, 0); }); m.on('zoomend moveend resize', declutter);"
)


class PopupAside(MacroElement):
    """An open popup is never covered: the legend and the layer control step aside while one is open; labels that
    overlap are hidden (folium's pattern: the script is the class's template, rendered for its map)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function (m) { var c = m.getContainer().ownerDocument.body;"
        " m.on('popupopen', function () { c.classList.add('course-popup-open'); });"
        " m.on('popupclose', function () { c.classList.remove('course-popup-open'); });"
        + _DECLUTTER
        + "})({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


def _finish(fmap) -> None:
    """The layer control and the popup's room, on every course map."""
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.add_child(PopupAside())


def _places(ids: list[str], places) -> object:
    """Return the rows of ``places`` for ``ids``, raising MapError for unknown ids or missing coordinates."""
    unknown = [i for i in ids if i not in places.index]
    if unknown:
        raise MapError(f"unknown place id(s) {unknown}; known: {', '.join(places.index)}")
    rows = places.loc[ids]
    missing = [i for i in ids if not (_finite(rows.loc[i, "lat"]) and _finite(rows.loc[i, "lon"]))]
    if missing:
        raise MapError(f"place(s) {missing} have no coordinates: fill lat and lon in data/places.csv")
    return rows


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _bounds(points: list[tuple[float, float]], pad: float = 2.0) -> list[list[float]]:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]


#: Which side of its point a place's label or card goes, so that the close capitals of Northeast Asia do
#: not cover each other. Places not listed get their label on the right.
LABEL_SIDE = {
    "beijing": "left",
    "pyongyang": "above",
    "seoul": "below",
    "tokyo": "right",
    "kyiv": "below",
    "hanoi": "left",
}


def _anchor(side: str, width: int, height: int, gap: int = 8) -> tuple[int, int]:
    """Icon anchor (pixels from the icon's top-left corner to the point) that puts a box on ``side``."""
    return {
        "right": (-gap, height // 2),
        "left": (width + gap, height // 2),
        "above": (width // 2, height + gap),
        "below": (width // 2, -gap),
    }[side]


def _label(text: str, css_class: str = "course-label", side: str = "right", gap: int = 8):
    width, height = 8 * len(text) + 8, 18
    return folium.DivIcon(
        html=f'<div class="{css_class}">{html.escape(text)}</div>',
        icon_size=(width, height),
        icon_anchor=_anchor(side, width, height, gap),
    )


def _place_marker(fmap, row, place_id: str, major: bool = True, side: str | None = None) -> None:
    approximate = row["precision"] == "approximate" or not row["verified"]
    name = str(row["name"])
    label = ("≈ " if approximate else "") + name
    radius = 7 if major else 5
    folium.CircleMarker(
        location=(float(row["lat"]), float(row["lon"])),
        radius=radius,
        color="#1a1a1a",
        weight=2,
        dash_array="4 3" if approximate else None,
        fill=True,
        fill_color="#ffffff" if approximate else "#1a1a1a",
        fill_opacity=1,
        tooltip=f"{name}" + (" (approximate location, unverified)" if approximate else ""),
        popup=folium.Popup(_place_popup(row, approximate), max_width=320),
    ).add_to(fmap)
    folium.Marker(
        location=(float(row["lat"]), float(row["lon"])),
        icon=_label(label, side=side or LABEL_SIDE.get(place_id, "right")),
        interactive=False,
        keyboard=False,  # a label, not a control: no tab stop, no "button" for a screen reader
    ).add_to(fmap)


def _place_popup(row, approximate: bool) -> str:
    lines = [f"<b>{html.escape(str(row['name']))}</b> ({html.escape(str(row['country']))})"]
    lines.append(_coordinates(float(row["lat"]), float(row["lon"])))
    if approximate:
        lines.append("<i>Approximate location, not confirmed by a source.</i>")
    if isinstance(row.get("note"), str) and row["note"]:
        lines.append("Note: " + html.escape(row["note"]))
    return "<br>".join(lines)


def _coordinates(lat: float, lon: float) -> str:
    """'39.0194° N, 125.7381° E' (hemispheres as letters, never negative numbers)."""
    return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"


# ---- 1. the triangle -------------------------------------------------------------------------------


def triangle_map(
    corners: tuple[str, str, str] = ("pyongyang", "beijing", "moscow"),
    context: tuple[str, ...] = ("seoul", "tokyo", "kyiv"),
    online: bool | None = None,
    places=None,
) -> CourseMap:
    """The Pyongyang-Beijing-Moscow triangle: great-circle arcs labelled with their length.

    Parameters
    ----------
    corners : three place ids
        The triangle's corners.
    context : place ids
        Places shown as smaller markers for orientation (e.g. ``"washington"``; it widens the map a lot).
    """
    places = load("places") if places is None else places
    ids = list(corners) + [c for c in context if c not in corners]
    rows = _places(ids, places)
    points = [(float(rows.loc[i, "lat"]), float(rows.loc[i, "lon"])) for i in ids]
    title = "The triangle: " + " – ".join(str(rows.loc[c, "name"]) for c in corners)
    fmap = _base_map(_bounds(points), online, title)
    arcs = folium.FeatureGroup(name="Great-circle distances")
    table = []
    for a, b in ((corners[0], corners[1]), (corners[1], corners[2]), (corners[0], corners[2])):
        ra, rb = rows.loc[a], rows.loc[b]
        km = haversine_km(float(ra["lat"]), float(ra["lon"]), float(rb["lat"]), float(rb["lon"]))
        path = great_circle_points(
            float(ra["lat"]), float(ra["lon"]), float(rb["lat"]), float(rb["lon"]), n=64
        )
        text = f"{ra['name']} – {rb['name']}: {km:,.0f} km"
        folium.PolyLine(path, color="#0072B2", weight=3, opacity=0.9, tooltip=text).add_to(arcs)
        mid = path[len(path) // 2]
        folium.Marker(
            mid,
            icon=_label(f"{km:,.0f} km", "course-distance", side="above", gap=4),
            interactive=False,
            keyboard=False,
        ).add_to(arcs)
        table.append({"from": ra["name"], "to": rb["name"], "great-circle km": round(km, 1)})
    arcs.add_to(fmap)
    for place_id in ids:
        # On the triangle, Pyongyang's label goes right: above it sits the Beijing-Pyongyang distance.
        side = "right" if place_id == "pyongyang" else None
        _place_marker(fmap, rows.loc[place_id], place_id, major=place_id in corners, side=side)
    _finish(fmap)
    caption = (
        "Blue lines are great circles, the shortest routes on the globe (they curve on a flat map); labels "
        "give their length, computed from the coordinates in data/places.csv. " + BOUNDARY_NOTE
    )
    context_names = ", ".join(str(rows.loc[c, "name"]) for c in ids if c not in corners)
    notes = [f"Also marked for orientation: {context_names}."] if context_names else []
    return CourseMap(fmap, title, caption, pd.DataFrame(table), notes=notes)


# ---- 2. official reactions ---------------------------------------------------------------------------

REACTION_COLUMNS = (
    "date",
    "date_precision",
    "actor_id",
    "place_id",
    "quote",
    "paraphrase",
    "stance",
    "commitment",
    "source_id",
)


def stance_badge(stance: str) -> str:
    """HTML of the round badge for a stance: colour, glyph and (in the title) the word."""
    colour, glyph = STANCE_STYLE[stance]
    label = STANCES[stance].label
    return (
        f'<div class="course-badge" title="{html.escape(label)}" style="background:{colour}">'
        f"{html.escape(glyph)}</div>"
    )


def reactions_map(
    reactions=None, online: bool | None = None, places=None, actors=None, sources=None
) -> CourseMap:
    """Official reactions at the places they were made, each coded by stance.

    Each place gets a card with its name and one badge per reaction (colour, symbol and, on hover, the word);
    clicking the card lists who said what, when, the coded stance and commitment, and the source.

    Parameters
    ----------
    reactions : DataFrame, optional
        Rows of ``load("reactions")`` (default: all). A filtered or re-coded copy works too, e.g. to show how
        stances would shift in a scenario.
    """
    reactions = load("reactions") if reactions is None else reactions
    missing = [c for c in REACTION_COLUMNS if c not in reactions.columns]
    if missing:
        raise MapError(f"the reactions table lacks column(s) {missing}")
    bad = sorted(set(reactions["stance"].dropna().astype(str)) - set(STANCES))
    if bad:
        raise MapError(f"unknown stance code(s) {bad}; use one of {', '.join(STANCES)}")
    places = load("places") if places is None else places
    actors = load("actors") if actors is None else actors
    sources = load("sources") if sources is None else sources
    title = "Official reactions, coded by stance"
    # Rows held out for a problem set carry no code: they are not drawn, and the notes say how many there are.
    uncoded = reactions["stance"].isna() | reactions["commitment"].isna()
    held_out = int(uncoded.sum())
    reactions = reactions[~uncoded]
    has_place = reactions["place_id"].map(lambda v: bool(text(v)))
    if not has_place.any():
        return empty_map(title, "No reaction in this selection has a place to show.", online)
    place_ids = list(dict.fromkeys(reactions.loc[has_place, "place_id"].astype(str)))
    rows = _places(place_ids, places)
    points = [(float(rows.loc[p, "lat"]), float(rows.loc[p, "lon"])) for p in place_ids]
    fmap = _base_map(_bounds(points, pad=4), online, title)
    layer = folium.FeatureGroup(name="Reactions")
    table, at_place = [], {p: [] for p in place_ids}
    records = reaction_records(reactions.sort_values("date"), actors=actors, places=places, sources=sources)
    for r in records:
        table.append(
            {
                "date": r.when,
                "who": r.who,
                "where": r.place or "(no place)",
                "stance": STANCES[r.stance].label,
                "commitment": COMMITMENTS[r.commitment].label,
                "words": r.said,
                "source": r.cited_with_ids,
            }
        )
        if r.place_id:
            said = f"<q>{html.escape(r.quote)}</q>" if r.quote else f"<i>{html.escape(r.paraphrase)}</i>"
            at_place[r.place_id].append(
                (
                    r.stance,
                    r.occasion,
                    f"<li>{stance_badge(r.stance)} <b>{html.escape(STANCES[r.stance].label)}</b>, "
                    f"{html.escape(COMMITMENTS[r.commitment].label.lower())}. {html.escape(r.who)}, "
                    f"{html.escape(r.when)}: {said} <small>({html.escape(r.cited_with_ids)})</small></li>",
                )
            )
    for place, items in at_place.items():
        row = rows.loc[place]
        location = (float(row["lat"]), float(row["lon"]))
        folium.CircleMarker(location, radius=3, color="#1a1a1a", fill=True, fill_opacity=1, weight=1).add_to(
            layer
        )
        name = str(row["name"])
        # One badge per occasion (a statement on one day, or an act), not per record: three renderings of China's
        # 20 June answer are one answer. The popup lists every record.
        occasions = list(dict.fromkeys((occasion, stance) for stance, occasion, _ in items))
        badges = "".join(stance_badge(stance) for _, stance in occasions)
        width, height = max(8 * len(name), 24 * len(occasions)) + 12, 46
        side = LABEL_SIDE.get(place, "right")
        summary = ", ".join(f"{n} {STANCES[c].label.lower()}" for c, n in _counts(s for _, s in occasions))
        folium.Marker(
            location,
            icon=folium.DivIcon(
                html=f'<div class="course-card"><b>{html.escape(name)}</b>{badges}</div>',
                icon_size=(width, height),
                icon_anchor=_anchor(side, width, height, gap=24 if side in ("above", "below") else 8),
            ),
            tooltip=f"{name}: {summary} ({len(occasions)} occasion(s), {len(items)} record(s)). Click for them.",
            popup=folium.Popup(
                f"<b>{html.escape(name)}</b><ul style='padding-left:1em'>{''.join(li for _, _, li in items)}</ul>",
                max_width=420,
                max_height=320,  # a place with many statements scrolls inside its popup
            ),
        ).add_to(layer)
    layer.add_to(fmap)
    _add_legend(fmap)
    _finish(fmap)
    caption = (
        "Each card is a place where governments reacted; each badge is one occasion (a statement on one day, or "
        "an act), coded by stance (colour, symbol and legend; course/content/reactions.py). Click a card for every record: "
        "who said what, when, and the source, with each rendering of a statement. Codes are an analyst's "
        "judgment. " + BOUNDARY_NOTE
    )
    notes = []
    off = int((~has_place).sum())
    if off:
        notes.append(f"{off} reaction(s) have no place and appear only in the table.")
    if held_out:
        notes.append(
            f"{held_out} statement(s) are held out, uncoded, for a problem set (the data's held_out column): "
            "they are on neither the map nor the table."
        )
    return CourseMap(fmap, title, caption, pd.DataFrame(table), notes=notes)


def _counts(codes) -> list[tuple[str, int]]:
    counted: dict[str, int] = {}
    for code in codes:
        counted[code] = counted.get(code, 0) + 1
    return list(counted.items())


class StanceLegend(MacroElement):
    """The stance legend in the map's corner: one badge (colour and symbol) and label per stance, folded with a
    click on "Stance" where it is in the way (folium's pattern: a class template, the items as attributes)."""

    _template = Template(
        "{% macro html(this, kwargs) %}"
        '<div class="course-legend-box" style="position:absolute;bottom:24px;right:10px;z-index:1000">'
        '<details open class="course-legend"><summary>Stance</summary>'
        "{% for badge, label in this.items %}<div>{{ badge }}{{ label|e }}</div>{% endfor %}"
        "</details></div>"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "StanceLegend"
        self.items = [(stance_badge(code), s.label) for code, s in STANCES.items()]


def _add_legend(fmap) -> None:
    fmap.get_root().add_child(StanceLegend())


# ---- 3. logistics of the munitions claim --------------------------------------------------------------

LOGISTICS_ROLES = {
    "rajin_port": "Port named (as Najin) in the October 2023 US claim as the loading point for containers.",
    "khasan_bridge": "The Friendship Bridge on the 17 km Russia–North Korea border.",
    "vladivostok": "Russia's largest Pacific port city; the February 2024 US designations name a naval facility "
    "near it.",
    "vostochny_port": 'The February 2024 US designations name "a Russian firm that manages a terminal at Vostochny '
    "Port in the Russian Far East\" (Yonhap's text). Near Nakhodka, in Primorye; not the Vostochny Cosmodrome "
    "(Amur Oblast), where Kim and Putin met in September 2023: same name, two places.",
    "pyongyang": "North Korea's capital, for orientation.",
}

#: Places the munitions claim names that the course's sources do not locate: listed under the map, never drawn.
LOGISTICS_UNPLACED = [
    "Dunay, the destination named in the October 2023 US claim, is not on the map: its location is not in the "
    "course's sources.",
    'Tikhoretsk, where the October 2023 claim says the cargo went by rail ("an ammunition depot in Tikhoretsk, '
    'roughly 290 kilometers from the Ukrainian border", KBS), is not on the map: its location is not in the '
    "course's sources.",
]


def logistics_map(online: bool | None = None, places=None) -> CourseMap:
    """Places in the munitions claim the sources locate: the ports, the border crossing, Vladivostok.

    Places it names without a location in the sources (Dunay, Tikhoretsk) are listed in the notes. Vostochny
    Port is drawn where one source places it (approximate); the Vostochny Cosmodrome, the 2023 summit site, is a
    different place and is not on this map.

    Approximate, unverified locations are drawn hollow with a dashed outline and a '≈' label.
    """
    places = load("places") if places is None else places
    ids = list(LOGISTICS_ROLES)
    rows = _places(ids, places)
    points = [(float(rows.loc[i, "lat"]), float(rows.loc[i, "lon"])) for i in ids]
    title = "The munitions claim: places named"
    fmap = _base_map(_bounds(points, pad=2), online, title)
    # The port, the bridge and Vladivostok are close together: spread their labels.
    sides = {
        "rajin_port": "left",
        "khasan_bridge": "right",
        "vladivostok": "above",
        "vostochny_port": "right",
    }
    for place_id in ids:
        _place_marker(fmap, rows.loc[place_id], place_id, side=sides.get(place_id))
    _finish(fmap)
    table = pd.DataFrame(
        [
            {
                "place": rows.loc[i, "name"],
                "role in the story": LOGISTICS_ROLES[i],
                "location": "approximate, unverified"
                if rows.loc[i, "precision"] == "approximate" or not rows.loc[i, "verified"]
                else "exact",
            }
            for i in ids
        ]
    )
    caption = (
        "Filled dots are exact locations; hollow dashed dots marked '≈' are approximate and not confirmed by "
        "a source. At this zoom the 1:110m outlines are coarse: coastlines are only roughly right. "
        + BOUNDARY_NOTE
    )
    return CourseMap(fmap, title, caption, table, notes=list(LOGISTICS_UNPLACED))


# ---- 4. events in a date range ---------------------------------------------------------------------------


def timeline_map(start=None, end=None, events=None, online: bool | None = None, places=None) -> CourseMap:
    """Events between ``start`` and ``end`` (inclusive; dates or ISO strings) at the places they happened.

    An event with several places appears at each; an event with none is listed in the table only.
    A range with no events gives an explicit "nothing to show" map.
    """
    events = load("events") if events is None else events
    places = load("places") if places is None else places
    try:
        lo = pd.Timestamp(start) if start is not None else events["date"].min()
        hi = pd.Timestamp(end) if end is not None else events["date"].max()
    except (ValueError, TypeError) as err:
        raise MapError(f"start and end must be dates such as '2024-06-19' ({err})") from None
    if lo > hi:
        raise MapError(f"the start {lo.date()} is after the end {hi.date()}")
    last = events["end_date"].fillna(events["date"])
    chosen = events[(events["date"] <= hi) & (last >= lo)].sort_values("date")
    title = f"Events from {format_date(lo)} to {format_date(hi)}"
    if chosen.empty:
        return empty_map(title, f"No events between {format_date(lo)} and {format_date(hi)}.", online)
    table = pd.DataFrame(
        [
            {
                "date": format_date(e["date"], str(e["date_precision"])),
                "event": e["title"],
                "where": ", ".join(str(places.loc[p, "name"]) for p in split_ids(e["place_ids"]))
                or "(not mapped)",
            }
            for _, e in chosen.iterrows()
        ]
    )
    by_place: dict[str, list[str]] = {}
    for _, e in chosen.iterrows():
        for p in split_ids(e["place_ids"]):
            by_place.setdefault(p, []).append(
                f"{format_date(e['date'], str(e['date_precision']))}: {e['title']}"
            )
    if not by_place:
        return empty_map(
            title, "The events in this range have no place on the map; see the table.", online, table
        )
    rows = _places(list(by_place), places)
    points = [(float(rows.loc[p, "lat"]), float(rows.loc[p, "lon"])) for p in by_place]
    # One place alone would fill the map at a zoom where the 1:110m outlines are crude: show its region.
    fmap = _base_map(_bounds(points, pad=3 if len(points) > 1 else 10), online, title)
    layer = folium.FeatureGroup(name="Events")
    # The places with most events first: where labels would overlap, theirs are the ones kept.
    for p, items in sorted(by_place.items(), key=lambda kv: -len(kv[1])):
        row = rows.loc[p]
        listing = "".join(f"<li>{html.escape(t)}</li>" for t in items)
        approximate = row["precision"] == "approximate" or not row["verified"]
        folium.CircleMarker(
            (float(row["lat"]), float(row["lon"])),
            radius=6 + 2 * min(len(items), 5),
            color="#1a1a1a",
            weight=2,
            dash_array="4 3" if approximate else None,
            fill=True,
            fill_color="#56B4E9",
            fill_opacity=0.9,
            tooltip=f"{row['name']}: {len(items)} event(s)",
            popup=folium.Popup(f"<b>{html.escape(str(row['name']))}</b><ul>{listing}</ul>", max_width=360),
        ).add_to(layer)
        folium.Marker(
            (float(row["lat"]), float(row["lon"])),
            icon=_label(
                ("≈ " if approximate else "") + f"{row['name']} ({len(items)})",
                side=LABEL_SIDE.get(p, "right"),
                gap=14,
            ),
            interactive=False,
            keyboard=False,  # a label, not a control: no tab stop, no "button" for a screen reader
        ).add_to(layer)
    layer.add_to(fmap)
    _finish(fmap)
    caption = (
        "Circles mark where events in the range happened; their size grows with the number of events. Where "
        "places crowd, some labels wait until you zoom in; hover a circle for its name. " + BOUNDARY_NOTE
    )
    unmapped = int((table["where"] == "(not mapped)").sum())
    notes = (
        [f"{unmapped} event(s) in the range have no place and appear only in the table."] if unmapped else []
    )
    return CourseMap(fmap, title, caption, table, notes=notes)


def empty_map(title: str, message: str, online: bool | None = None, table=None) -> CourseMap:
    """A map of the region that says, in its middle, that there is nothing to show (never a blank box)."""
    bounds = [[30.0, 110.0], [50.0, 140.0]]
    fmap = _base_map(bounds, online, title)
    folium.Marker(
        (40.0, 125.0),
        icon=folium.DivIcon(
            html=f'<div class="course-empty">{html.escape(message)}</div>', icon_anchor=(140, 20)
        ),
        interactive=False,
        keyboard=False,  # a label, not a control: no tab stop, no "button" for a screen reader
    ).add_to(fmap)
    _finish(fmap)
    table = pd.DataFrame() if table is None else table
    return CourseMap(fmap, title, message + " " + BOUNDARY_NOTE, table, empty=True, notes=[message])
