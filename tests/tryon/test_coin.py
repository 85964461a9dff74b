"""A coin held beside the hand sets the hand's scale (`kiosk tryon --coin-mm`).

No photo in the test data shows a coin, so the coins here are drawn into the repo's hand
photos (tests/helpers/coins.py: a struck steel disc, anti-aliased, lens-softened, noised, part
of its rim under a fingertip) at sizes the hand's own prior would get wrong by 15 %."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from kiosk.track.hands import HandTrack
from kiosk.tryon import still
from kiosk.tryon.coin import find_coin
from kiosk.tryon.sizing import prior_px_per_mm
from tests.helpers.coins import draw_coin
from tests.helpers.handref import HAND_PHOTOS, beside
from tests.helpers.photos import photo

COIN_MM = 25.0
# (photo, hand, coin radius / the prior's, where beside the hand in knuckle spans)
DRAWN = [("hands_on_table.jpg", 0, 1.15, (-1.7, 0.0)), ("hand_on_helmet.jpg", 0, 0.85, (1.7, 0.0)),
         ("hand_raised.jpg", 0, 1.15, (-1.7, 0.0)), ("turned_head.jpg", 0, 0.85, (1.7, 0.0)),
         ("turned_head.jpg", 0, 1.0, (1.5, 1.0))]


@pytest.mark.parametrize("name", HAND_PHOTOS)
def test_no_coin_is_found_where_there_is_none(name: str, hands: dict[str, list[HandTrack]]) -> None:
    assert hands[name], name
    for hand in hands[name]:
        assert find_coin(photo(name), hand, COIN_MM, prior_px_per_mm(hand)) is None, (name, hand.side)


@pytest.mark.parametrize("name, which, factor, where", DRAWN)
def test_a_coin_beside_the_hand_gives_its_true_scale(name: str, which: int, factor: float,
                                                      where: tuple[float, float],
                                                      hands: dict[str, list[HandTrack]]) -> None:
    hand = hands[name][which]
    img = photo(name)
    radius = COIN_MM / 2 * prior_px_per_mm(hand) * factor
    draw_coin(img, beside(hand, where), radius, thumb_deg=200)
    coin = find_coin(img, hand, COIN_MM, prior_px_per_mm(hand))
    assert coin is not None
    assert abs(coin.radius_px / radius - 1) < 0.015
    assert abs(coin.px_per_mm(COIN_MM) / (prior_px_per_mm(hand) * factor) - 1) < 0.015


def test_two_coins_of_different_sizes_are_no_answer(hands: dict[str, list[HandTrack]]) -> None:
    hand = hands["hand_raised.jpg"][0]
    img = photo("hand_raised.jpg")
    r = COIN_MM / 2 * prior_px_per_mm(hand)
    draw_coin(img, beside(hand, (-1.7, 0.0)), 1.15 * r, thumb_deg=200)
    assert find_coin(img, hand, COIN_MM, prior_px_per_mm(hand)) is not None
    other = photo("hand_raised.jpg")
    draw_coin(other, beside(hand, (1.7, 0.0)), 0.85 * r, seed=2)
    assert find_coin(other, hand, COIN_MM, prior_px_per_mm(hand)) is not None      # each alone is found
    draw_coin(img, beside(hand, (1.7, 0.0)), 0.85 * r, seed=2)
    assert find_coin(img, hand, COIN_MM, prior_px_per_mm(hand)) is None


@pytest.mark.slow
def test_kiosk_tryon_sizes_from_the_coin_and_says_when_there_is_none(
        tmp_path: Path, hands: dict[str, list[HandTrack]], capsys: pytest.CaptureFixture[str]) -> None:
    hand = hands["hand_raised.jpg"][0]
    img = photo("hand_raised.jpg")
    draw_coin(img, beside(hand, (-1.7, 0.0)), COIN_MM / 2 * prior_px_per_mm(hand) * 1.15, thumb_deg=200)
    with_coin, bare = tmp_path / "coin.png", tmp_path / "bare.png"
    cv2.imwrite(str(with_coin), img)
    cv2.imwrite(str(bare), photo("hand_raised.jpg"))
    reports = {}
    for src in (with_coin, bare):
        assert still.main(src, "ring_gold_band", tmp_path / "out.jpg", True, coin_mm=COIN_MM) == 0
        out, err = capsys.readouterr()
        reports[src] = (json.loads(out), err)
    got, err = reports[with_coin]
    ring = got["pieces"][0]
    assert got["coin"]["found"] is True and ring["scale"]["source"] == "coin" and not err
    assert abs(ring["scale"]["px_per_mm"] / (prior_px_per_mm(hand) * 1.15) - 1) < 0.015
    got, err = reports[bare]
    assert got["coin"] == {"coin_mm": COIN_MM, "found": False}
    assert got["pieces"][0]["scale"]["source"] != "coin"
    assert "no 25 mm coin found beside the hand" in err
    # A size no coin has: refused before any work, in one line.
    assert still.main(bare, "ring_gold_band", tmp_path / "out.jpg", True, coin_mm=2.5) == 2
    assert "--coin-mm is a coin's diameter" in capsys.readouterr().err
