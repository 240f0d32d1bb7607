"""Build data/geo/countries-110m.geojson from the npm package world-atlas (Natural Earth 1:110m).

Usage (from the repository root; needs npm, or a local copy of countries-110m.json):

    python data/prep/countries_110m.py                      # npm pack world-atlas@2.0.2, then convert
    python data/prep/countries_110m.py --topojson FILE.json  # convert a copy you already have

Source: world-atlas 2.0.2 by Mike Bostock (ISC licence), whose countries-110m.json is TopoJSON made from
Natural Earth's 1:110m Admin 0 countries (public domain, https://www.naturalearthdata.com/).

What the conversion does:
- decodes TopoJSON (quantised, delta-encoded arcs) into GeoJSON polygons;
- unwraps rings that cross the antimeridian (Russia's Chukotka, Fiji): longitudes continue past 180 (or
  below -180) instead of jumping across the map, which web maps would draw as a streak;
- rounds coordinates to 3 decimals (about 100 m, far finer than the 1:110m source's detail).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "world-atlas@2.0.2"
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "data" / "geo" / "countries-110m.geojson"
DECIMALS = 3


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Return every arc of a TopoJSON topology as a list of (lon, lat) positions."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Stitch arcs into a closed ring; a negative index ``~i`` means arc ``i`` reversed."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Shift longitudes so that consecutive points never differ by more than 180 degrees."""
    out: list[tuple[float, float]] = []
    for lon, lat in points:
        if out:
            previous = out[-1][0]
            while lon - previous > 180:
                lon -= 360
            while lon - previous < -180:
                lon += 360
        out.append((lon, lat))
    return out


def close_around_pole(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Close a ring that circles a pole (Antarctica): after unwrapping it ends 360 degrees from its start.

    The ring is closed along the pole's latitude, so that it is a valid GeoJSON ring (first point = last).
    """
    (lon0, lat0), (lon1, _) = points[0], points[-1]
    if abs(abs(lon1 - lon0) - 360) > 1e-6:
        return points
    pole = -90.0 if sum(lat for _, lat in points) < 0 else 90.0
    return [*points, (lon1, pole), (lon0, pole), (lon0, lat0)]


def keep_together(rings: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    """Move a country's rings that lie just west of -180 to just east of 180, if it also has rings near 180.

    Russia's and Fiji's islands east of the antimeridian then sit beside the rest of the country on a map
    centred on Asia, instead of at the far left edge.
    """
    if not any(max(lon for lon, _ in r) > 170 for r in rings):
        return rings
    return [[(lon + 360, lat) for lon, lat in r] if max(lon for lon, _ in r) < -170 else r for r in rings]


def _rounded(points: list[tuple[float, float]]) -> list[list[float]]:
    return [[round(lon, DECIMALS), round(lat, DECIMALS)] for lon, lat in points]


def to_geojson(topology: dict, object_name: str = "countries") -> dict:
    """Convert one object of a TopoJSON topology to a GeoJSON FeatureCollection."""
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"][object_name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:  # a country with no geometry at this scale
            continue
        rings = keep_together(
            [close_around_pole(unwrap(ring(r, arcs))) for polygon in polygons for r in polygon]
        )
        shaped, start = [], 0
        for polygon in polygons:
            shaped.append([_rounded(r) for r in rings[start : start + len(polygon)]])
            start += len(polygon)
        coordinates = shaped[0] if kind == "Polygon" else shaped
        features.append(
            {
                "type": "Feature",
                "id": geometry.get("id"),
                "properties": {"name": geometry.get("properties", {}).get("name", "")},
                "geometry": {"type": kind, "coordinates": coordinates},
            }
        )
    return {
        "type": "FeatureCollection",
        "source": f"npm {PACKAGE} countries-110m.json (ISC); Natural Earth 1:110m, public domain",
        "boundaries": "de facto: Natural Earth draws areas inside the outline of the country that controls them",
        "features": features,
    }


def fetch_topojson(folder: Path) -> Path:
    """Download the world-atlas package with npm into ``folder`` and return its countries-110m.json."""
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=folder, check=True, capture_output=True)
    (tarball,) = folder.glob("world-atlas-*.tgz")
    with tarfile.open(tarball) as archive:
        member = archive.getmember("package/countries-110m.json")
        archive.extract(member, folder, filter="data")
    return folder / "package" / "countries-110m.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topojson", type=Path, help="a local countries-110m.json (default: fetch with npm)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.topojson or fetch_topojson(Path(tmp))
        topology = json.loads(Path(source).read_text(encoding="utf-8"))
    collection = to_geojson(topology)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    size_kb = args.output.stat().st_size / 1024
    print(f"wrote {len(collection['features'])} countries to {args.output} ({size_kb:.0f} KB)")


if __name__ == "__main__":
    main()
