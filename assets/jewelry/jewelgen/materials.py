"""The catalogue's materials: glTF metallic-roughness, with a `kind` in extras for the renderer.

Metals (metallic 1, baseColorFactor = F0, linear): published spectral averages of measured
reflectance at normal incidence:
- gold (1.00, 0.71, 0.29), silver (0.95, 0.93, 0.88), copper (0.95, 0.64, 0.54): Akenine-Moller,
  Haines, Hoffman et al., "Real-Time Rendering", 4th ed. (2018), table 9.2. (Lagarde's DONTNOD
  chart, also on physicallybased.info, has gold (1.000, 0.766, 0.336), silver (0.972, 0.960,
  0.915), copper (0.955, 0.638, 0.538), platinum (0.672, 0.637, 0.585).)
- 22k gold is 91.6% gold: we use gold's value as it is; the 8% silver and copper hardly move it.
- 18k rose gold (75% gold, about 22% copper, 3% silver) has no published spectral average we
  could cite: it is taken 60% of the way from gold's F0 to copper's (RTR values), which puts its
  chroma between the two as rose gold looks. An approximation, not a measurement.
- white gold is rhodium-plated in the trade: rhodium reflects about 0.75-0.80 evenly across
  the visible (from its optical constants); we use a neutral 0.78 with a slight warm tilt, a
  little brighter than platinum's published (0.672, 0.637, 0.585).
Gems (metallic 0; baseColorFactor is the body colour the renderer tints transmitted light by;
refractive index and dispersion (B-G interval) from the GIA gem reference values): diamond
2.417 / 0.044, ruby (corundum) 1.762-1.770 / 0.018, emerald (beryl) 1.577-1.583 / 0.014, rose
quartz 1.544-1.553 / 0.013, blue and yellow sapphire (corundum, as ruby) 1.762-1.770 / 0.018,
hessonite (grossular garnet) 1.74 / 0.027, chrysoberyl cat's eye 1.746 / 0.015. Red coral is
the calcite of a coral's skeleton (n about 1.49-1.66), opaque: shaded as a polished dielectric,
the "enamel" kind. Platinum: Lagarde's (0.672, 0.637, 0.585) above. Polki is uncut diamond
(flat, milky, lower sparkle); meenakari is vitreous enamel (glass, n about 1.5) fired into gold;
pearl is nacre (aragonite, n about 1.53-1.68).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RTR_GOLD = (1.00, 0.71, 0.29)
RTR_SILVER = (0.95, 0.93, 0.88)
RTR_COPPER = (0.95, 0.64, 0.54)


def _mix(
    a: tuple[float, float, float], b: tuple[float, float, float], t: float
) -> tuple[float, float, float]:
    return (
        round(a[0] + (b[0] - a[0]) * t, 3),
        round(a[1] + (b[1] - a[1]) * t, 3),
        round(a[2] + (b[2] - a[2]) * t, 3),
    )


@dataclass(frozen=True)
class Material:
    name: str
    base: tuple[float, float, float]
    metallic: float
    roughness: float
    kind: str
    extra: dict[str, float] = field(default_factory=dict)

    def gltf(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pbrMetallicRoughness": {
                "baseColorFactor": [*self.base, 1.0],
                "metallicFactor": self.metallic,
                "roughnessFactor": self.roughness,
            },
            "extras": {"kind": self.kind, **self.extra},
        }


GOLD = "22k yellow gold"
GOLD_MATTE = "22k yellow gold, textured"
ROSE = "18k rose gold"
WHITE = "18k white gold"
SILVER = "sterling silver"
DIAMOND = "diamond"
RUBY = "ruby"
EMERALD = "emerald"
PEARL = "pearl"
POLKI = "polki (uncut diamond)"
RED_ENAMEL = "red meenakari enamel"
GREEN_ENAMEL = "green meenakari enamel"
ROSE_QUARTZ = "rose quartz"
PLATINUM = "platinum"
BLUE_SAPPHIRE = "blue sapphire"
YELLOW_SAPPHIRE = "yellow sapphire"
HESSONITE = "hessonite"
CATS_EYE = "cat's eye chrysoberyl"
CORAL = "red coral"

_ALL = [
    Material(GOLD, RTR_GOLD, 1.0, 0.16, "metal"),
    # Temple pieces are chased and left with a softer sheen between the polished ridges.
    Material(GOLD_MATTE, RTR_GOLD, 1.0, 0.38, "metal"),
    Material(ROSE, _mix(RTR_GOLD, RTR_COPPER, 0.6), 1.0, 0.18, "metal"),
    Material(WHITE, (0.79, 0.78, 0.76), 1.0, 0.12, "metal"),
    Material(SILVER, RTR_SILVER, 1.0, 0.2, "metal"),
    Material(DIAMOND, (1.0, 1.0, 1.0), 0.0, 0.02, "gem", {"ior": 2.417, "dispersion": 0.044}),
    Material(RUBY, (0.5, 0.015, 0.04), 0.0, 0.03, "gem", {"ior": 1.766, "dispersion": 0.018}),
    Material(EMERALD, (0.02, 0.36, 0.12), 0.0, 0.04, "gem", {"ior": 1.58, "dispersion": 0.014}),
    Material(ROSE_QUARTZ, (0.86, 0.52, 0.56), 0.0, 0.05, "gem", {"ior": 1.548, "dispersion": 0.013}),
    Material(PEARL, (0.86, 0.82, 0.74), 0.0, 0.28, "pearl", {"ior": 1.6}),
    Material(POLKI, (0.93, 0.93, 0.9), 0.0, 0.12, "polki", {"ior": 2.417, "dispersion": 0.044}),
    Material(RED_ENAMEL, (0.48, 0.012, 0.02), 0.0, 0.1, "enamel", {"ior": 1.5}),
    Material(GREEN_ENAMEL, (0.008, 0.2, 0.05), 0.0, 0.1, "enamel", {"ior": 1.5}),
    Material(PLATINUM, (0.672, 0.637, 0.585), 1.0, 0.12, "metal"),
    # The navratna's nine (with ruby, diamond, emerald and pearl above).
    Material(BLUE_SAPPHIRE, (0.03, 0.07, 0.42), 0.0, 0.03, "gem", {"ior": 1.766, "dispersion": 0.018}),
    Material(YELLOW_SAPPHIRE, (0.86, 0.62, 0.07), 0.0, 0.03, "gem", {"ior": 1.766, "dispersion": 0.018}),
    Material(HESSONITE, (0.6, 0.22, 0.04), 0.0, 0.03, "gem", {"ior": 1.74, "dispersion": 0.027}),
    Material(CATS_EYE, (0.74, 0.62, 0.2), 0.0, 0.06, "gem", {"ior": 1.746, "dispersion": 0.015}),
    Material(CORAL, (0.72, 0.1, 0.05), 0.0, 0.22, "enamel", {"ior": 1.55}),
]
MATERIALS = {m.name: m for m in _ALL}
