"""Draws the body-chart SVGs (front, back, hand, foot) from smoothed landmark outlines.

Run `python resources/chart/make_chart.py resources/chart` after changing a landmark. Each view's
coordinates are its SVG viewBox units, shared with points.json `chart` and nerves.json `course`; every
view is symmetric about its vertical centre line, so a right-side position mirrors to the left one.
"""

from __future__ import annotations

import sys
from pathlib import Path

W, H = 600, 1400
MID = W / 2

SKIN_STROKE = "#9c7a66"
DETAIL = "#b8927c"
DETAIL_SOFT = "#cfae98"
LABEL = "#5b6b7a"


# ---------------------------------------------------------------------------------------------
# geometry helpers
def spline(points, closed=False, tension=1.0):
    """Catmull-Rom through `points` ((x, y) or (x, y, 'c') for a corner) as an SVG path string."""
    pts = [(p[0], p[1]) for p in points]
    corner = [len(p) > 2 for p in points]
    n = len(pts)

    def tangent(i):
        if corner[i % n] if closed else corner[i]:
            return (0.0, 0.0)
        if closed:
            a, b = pts[(i - 1) % n], pts[(i + 1) % n]
        else:
            if i == 0 or i == n - 1:
                return (0.0, 0.0)
            a, b = pts[i - 1], pts[i + 1]
        return ((b[0] - a[0]) / 6 * tension, (b[1] - a[1]) / 6 * tension)

    d = [f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"]
    segs = n if closed else n - 1
    for i in range(segs):
        p0, p1 = pts[i % n], pts[(i + 1) % n]
        t0, t1 = tangent(i), tangent((i + 1) if not closed else (i + 1) % n)
        c1 = (p0[0] + t0[0], p0[1] + t0[1])
        c2 = (p1[0] - t1[0], p1[1] - t1[1])
        d.append(f"C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {p1[0]:.1f},{p1[1]:.1f}")
    if closed:
        d.append("Z")
    return " ".join(d)


def mirror_pts(points, width=W):
    return [(width - p[0], p[1], *p[2:]) for p in points]


def both(points, width=W):
    """A half contour from the top centre down the viewer's left and back to the centre, closed."""
    left = list(points)
    right = list(reversed(mirror_pts(points[1:-1], width)))
    return left + right


# ---------------------------------------------------------------------------------------------
# the whole body (front and back share the silhouette; x < 300 is the viewer's left half)
HEAD = [
    (300, 56),
    (273, 60),
    (254, 74),
    (245, 98),
    (242, 126),
    (243, 140),
    (237, 139),
    (233, 150),
    (235, 168),
    (241, 180),
    (248, 183),
    (252, 199),
    (261, 214),
    (264, 232),
    (263, 252, "c"),
]
SHOULDER = [(236, 266), (200, 278), (178, 288)]
TORSO = [
    (168, 318),
    (176, 350),
    (184, 374),
    (189, 410),
    (197, 460),
    (208, 515),
    (207, 560),
    (195, 612),
    (182, 660),
    (180, 705),
]
LEG = [
    (184, 760),
    (191, 840),
    (204, 920),
    (213, 975),
    (214, 1012),
    (208, 1060),
    (212, 1120),
    (226, 1200),
    (238, 1256),
    (240, 1282),
]
FOOT_FRONT = [
    (237, 1292),
    (232, 1304),
    (226, 1318),
    (222, 1332),
    (224, 1340),
    (229, 1344),
    (234, 1341, "c"),
    (237, 1346),
    (243, 1349),
    (248, 1344, "c"),
    (251, 1350),
    (257, 1352),
    (262, 1347, "c"),
    (265, 1353),
    (271, 1355),
    (276, 1349, "c"),
    (279, 1355),
    (286, 1356),
    (291, 1350),
    (292, 1336),
    (290, 1318),
    (286, 1300),
    (285, 1288),
]
FOOT_BACK = [(238, 1300), (240, 1320), (250, 1336), (266, 1340), (280, 1334), (284, 1316), (282, 1294)]
INNER_LEG = [(280, 1270), (282, 1200), (288, 1110), (286, 1050), (279, 1000), (283, 930), (292, 830), (300, 738, "c")]

ARM = [
    (198, 281),
    (172, 289),
    (150, 306),
    (136, 340),
    (130, 390),
    (128, 440),
    (124, 490),
    (120, 532),
    (114, 570),
    (112, 610),
    (114, 660),
    (114, 700),
    # hand, palm forward: thumb on the outer side, fingertips slightly apart
    (106, 722),
    (99, 744),
    (93, 768),
    (92, 790),
    (97, 801),
    (104, 797),
    (108, 782),
    (113, 779),
    (112, 800),
    (113, 830),
    (117, 846),
    (124, 849),
    (128, 840),
    (130, 820, "c"),
    (131, 842),
    (135, 855),
    (142, 857),
    (146, 847),
    (147, 822, "c"),
    (149, 842),
    (153, 850),
    (159, 848),
    (161, 836),
    (161, 818, "c"),
    (163, 828),
    (167, 832),
    (171, 825),
    (169, 806),
    (166, 780),
    (163, 752),
    (157, 730),
    (152, 712),
    (158, 680),
    (168, 630),
    (174, 585),
    (174, 545),
    (172, 500),
    (178, 450),
    (186, 400),
    (192, 368),
    (205, 330),
]


def body_paths(back: bool):
    foot = FOOT_BACK if back else FOOT_FRONT
    half = HEAD + SHOULDER + TORSO + LEG + foot + INNER_LEG
    silhouette = spline(both(half), closed=True)
    arm_r = spline(ARM, closed=True)
    arm_l = spline(mirror_pts(ARM), closed=True)
    return [silhouette, arm_r, arm_l]


def path(d, **attrs):
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<path d="{d}" {extra}/>'


def line(points, colour=DETAIL, width=1.4, closed=False, **attrs):
    return path(
        spline(points, closed=closed),
        fill="none",
        stroke=colour,
        stroke_width=width,
        stroke_linecap="round",
        stroke_linejoin="round",
        **attrs,
    )


def pair(points, **kw):
    """A detail line on the viewer's left and its mirror image."""
    return [line(points, **kw), line(mirror_pts(points), **kw)]


def defs():
    return """<defs>
  <linearGradient id="skin" x1="0" y1="0" x2="1" y2="0">
    <stop offset="0" stop-color="#f1d9c6"/>
    <stop offset="0.5" stop-color="#f8e8da"/>
    <stop offset="1" stop-color="#f1d9c6"/>
  </linearGradient>
  <radialGradient id="bg" cx="0.5" cy="0.45" r="0.75">
    <stop offset="0" stop-color="#ffffff"/>
    <stop offset="1" stop-color="#f7f9fb"/>
  </radialGradient>
  <linearGradient id="hair" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="#8d7566"/>
    <stop offset="1" stop-color="#a48b7b"/>
  </linearGradient>
</defs>"""


def silhouette_layers(shapes, fill="url(#skin)"):
    out = ['<g id="shadow" transform="translate(4,5)">']
    out += [
        path(
            d,
            fill="#7d8fa3",
            fill_opacity="0.16",
            stroke="#7d8fa3",
            stroke_opacity="0.08",
            stroke_width=8,
            stroke_linejoin="round",
        )
        for d in shapes
    ]
    out.append("</g>")
    out.append('<g id="outline">')
    out += [path(d, fill="none", stroke=SKIN_STROKE, stroke_width=3.2, stroke_linejoin="round") for d in shapes]
    out.append("</g>")
    out.append('<g id="skin">')
    out += [path(d, fill=fill, stroke="none") for d in shapes]
    out.append("</g>")
    return out


def label(x, y, text, size=28, colour=LABEL, weight="bold", anchor="middle"):
    return (
        f'<text x="{x}" y="{y}" font-family="DejaVu Sans, Arial, sans-serif" font-size="{size}" '
        f'font-weight="{weight}" fill="{colour}" text-anchor="{anchor}">{text}</text>'
    )


def front_details():
    out = []
    # face: brows, eyes, nose, mouth, ears
    out += pair([(262, 124), (274, 119), (288, 122)], width=1.6)
    out += pair([(266, 138), (276, 134), (287, 138), (276, 141), (266, 138)], width=1.2)
    out.append(
        line(
            [(296, 140), (294, 170), (289, 176), (300, 180), (311, 176), (306, 170), (304, 140)],
            width=1.1,
            colour=DETAIL_SOFT,
        )
    )
    out.append(line([(284, 197), (292, 195), (300, 197), (308, 195), (316, 197)], width=1.3))
    out.append(line([(288, 202), (300, 205), (312, 202)], width=1.0, colour=DETAIL_SOFT))
    out += pair([(239, 150), (242, 163), (246, 172)], width=1.0, colour=DETAIL_SOFT)
    out.append(line([(284, 222), (300, 228), (316, 222)], width=1.0, colour=DETAIL_SOFT))
    # neck: sternocleidomastoids and throat
    out += pair([(262, 212), (276, 245), (292, 268)], width=1.1, colour=DETAIL_SOFT)
    out.append(line([(296, 238), (300, 242), (304, 238)], width=1.0, colour=DETAIL_SOFT))
    # clavicles and sternal notch
    out += pair([(292, 272), (262, 276), (230, 279), (200, 286), (180, 292)], width=1.5)
    # chest
    out.append(line([(300, 300), (300, 392)], width=0.9, colour=DETAIL_SOFT))
    out += pair([(196, 380), (214, 410), (245, 420), (280, 414), (296, 400)], width=1.3)
    out += pair([(251, 398), (251, 399)], width=4, colour="#c9a08a")
    # ribs, abdomen, navel
    out += pair([(296, 430), (270, 468), (236, 500), (212, 520)], width=1.0, colour=DETAIL_SOFT)
    out += pair([(262, 470), (258, 560), (262, 640)], width=0.9, colour=DETAIL_SOFT)
    out.append(line([(300, 430), (300, 520)], width=0.9, colour=DETAIL_SOFT))
    out.append(line([(300, 560), (300, 640)], width=0.9, colour=DETAIL_SOFT))
    out.append(line([(296, 540), (300, 534), (304, 540), (300, 548), (296, 540)], closed=False, width=1.3))
    # iliac crests and groin
    out += pair([(206, 628), (228, 654), (256, 688), (278, 708)], width=1.0, colour=DETAIL_SOFT)
    # shoulders and arms: deltoid, biceps, elbow and wrist creases
    out += pair([(166, 300), (156, 350), (158, 402)], width=1.0, colour=DETAIL_SOFT)
    out += pair([(147, 420), (150, 470), (150, 515)], width=0.9, colour=DETAIL_SOFT)
    out += pair([(128, 534), (146, 538), (170, 534)], width=1.2)
    out += pair([(117, 707), (134, 712), (152, 708)], width=1.1)
    out += pair([(112, 793), (135, 797), (159, 790)], width=0.9, colour=DETAIL_SOFT)
    out += pair([(108, 736), (122, 760), (124, 790)], width=0.9, colour=DETAIL_SOFT)
    # thighs: quadriceps, knees, shins, ankles, toes
    out += pair([(200, 700), (222, 820), (238, 930)], width=1.0, colour=DETAIL_SOFT)
    out += pair([(272, 770), (268, 880), (272, 935)], width=1.0, colour=DETAIL_SOFT)
    out += pair(
        [(244, 960), (254, 954), (265, 960), (266, 978), (254, 990), (242, 978), (244, 960)],
        width=1.0,
        colour=DETAIL_SOFT,
    )
    out += pair([(260, 1004), (258, 1100), (262, 1200), (266, 1262)], width=1.1, colour=DETAIL_SOFT)
    out += pair([(244, 1270), (256, 1282), (274, 1282)], width=1.1)
    for x0, y0 in ((229, 1338), (242, 1342), (256, 1345), (270, 1347), (284, 1349)):
        out += pair([(x0 - 3, y0), (x0, y0 - 1.5), (x0 + 3, y0)], width=0.9, colour=DETAIL_SOFT)  # toenails
    return out


def back_details():
    out = []
    # base of the skull and back of the ears
    out.append(line([(262, 186), (280, 194), (300, 196), (320, 194), (338, 186)], width=1.1, colour=DETAIL_SOFT))
    out += pair([(239, 150), (242, 163), (246, 172)], width=1.0, colour=DETAIL_SOFT)
    # neck and trapezius
    out += pair([(286, 200), (284, 240), (260, 262), (216, 280)], width=1.0, colour=DETAIL_SOFT)
    # spine and scapulae
    out.append(line([(300, 236), (300, 660)], width=1.4, colour=DETAIL))
    for y in range(262, 650, 23):
        out.append(line([(297, y), (303, y)], width=1.6, colour=DETAIL_SOFT))
    out += pair([(206, 318), (212, 372), (236, 420), (250, 402), (254, 350), (251, 306)], width=1.2, colour=DETAIL_SOFT)
    out += pair([(204, 312), (250, 322)], width=1.0, colour=DETAIL_SOFT)
    # lower back, buttocks, gluteal folds
    out += pair([(200, 610), (240, 630), (290, 650)], width=1.0, colour=DETAIL_SOFT)
    out.append(line([(300, 660), (300, 735)], width=1.3))
    out += pair([(210, 740), (240, 748), (272, 746), (296, 736)], width=1.3)
    # arms: elbow point, forearm, dorsum of hands
    out += pair([(166, 300), (156, 350), (158, 402)], width=1.0, colour=DETAIL_SOFT)
    out += pair([(150, 522), (148, 534), (154, 542), (160, 534), (156, 522)], width=1.0)
    out += pair([(117, 707), (134, 712), (152, 708)], width=1.1, colour=DETAIL_SOFT)
    out += pair(
        [(124, 790), (126, 800), (133, 795), (141, 800), (148, 796), (155, 800), (161, 794)],
        width=0.9,
        colour=DETAIL_SOFT,
    )
    # back of the thighs, knee creases, calves, achilles
    out += pair([(250, 770), (250, 900)], width=1.0, colour=DETAIL_SOFT)
    out += pair([(226, 984), (252, 990), (280, 984)], width=1.3)
    out += pair([(226, 1010), (222, 1070), (240, 1130), (252, 1150)], width=1.0, colour=DETAIL_SOFT)
    out += pair([(282, 1010), (286, 1070), (268, 1130), (256, 1150)], width=1.0, colour=DETAIL_SOFT)
    out += pair([(252, 1150), (254, 1220), (256, 1296)], width=1.0, colour=DETAIL_SOFT)
    out += pair([(262, 1150), (262, 1220), (264, 1296)], width=1.0, colour=DETAIL_SOFT)
    out += pair([(244, 1276), (240, 1288)], width=1.2)
    out += pair([(280, 1272), (282, 1286)], width=1.2)
    return out


def side_labels(back: bool):
    # the patient's right is on the viewer's left in the front view, on the viewer's right in the back view
    left_text, right_text = ("L", "R") if back else ("R", "L")
    return [
        label(52, 118, left_text, size=40),
        label(W - 52, 118, right_text, size=40),
        label(MID, 1390, "Back (posterior view)" if back else "Front (anterior view)", size=20, weight="normal"),
    ]


def svg(width, height, body):
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">',
            defs(),
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="url(#bg)"/>',
            *body,
            "</svg>",
        ]
    )


def body_svg(back: bool):
    shapes = body_paths(back)
    parts = silhouette_layers(shapes)
    parts += back_details() if back else front_details()
    parts += side_labels(back)
    return svg(W, H, parts)


# ---------------------------------------------------------------------------------------------
# hands: 800 x 1000; top row backs of the hands, bottom row palms; the patient's right hand on the
# viewer's left in both rows (as seen facing the patient). Drawn as the right palm (thumb pointing to
# the viewer's right) in "palm frame" coordinates; the back of the right hand is its mirror about x=232.
HW, HH = 800, 1000
HAND = [
    (140, 492, "c"),
    (140, 400),
    (122, 350),
    (112, 300),
    (112, 250),
    (110, 215),
    (110, 170),
    (114, 140),
    (123, 127),
    (134, 128),
    (141, 140),
    (143, 180),
    (145, 222, "c"),
    (148, 180),
    (147, 120),
    (150, 92),
    (160, 80),
    (171, 82),
    (177, 95),
    (179, 140),
    (181, 212, "c"),
    (182, 160),
    (183, 95),
    (186, 70),
    (198, 60),
    (210, 64),
    (216, 80),
    (218, 150),
    (220, 210, "c"),
    (222, 160),
    (222, 110),
    (226, 88),
    (237, 78),
    (248, 82),
    (254, 100),
    (256, 150),
    (258, 228),
    (274, 258),
    (298, 244),
    (316, 222),
    (327, 200),
    (338, 188),
    (350, 192),
    (355, 208),
    (347, 240),
    (332, 272),
    (312, 312),
    (292, 350),
    (274, 380),
    (264, 404),
    (266, 492, "c"),
]
HAND_AXIS = 232


def hand_mirror(points):
    return [(2 * HAND_AXIS - p[0], p[1], *p[2:]) for p in points]


def shift(points, dx=0.0, dy=0.0):
    return [(p[0] + dx, p[1] + dy, *p[2:]) for p in points]


def palm_details():
    lines = [
        ([(258, 240), (240, 280), (226, 330), (222, 380)], 1.3),  # thenar crease
        ([(112, 262), (150, 258), (190, 250), (222, 232)], 1.2),  # distal palmar crease
        ([(116, 300), (160, 292), (200, 282), (250, 262)], 1.2),  # proximal palmar crease
        ([(150, 398), (200, 402), (252, 398)], 1.3),  # wrist crease
        ([(150, 418), (200, 422), (254, 418)], 0.9),
    ]
    for x0, x1, y in (
        (112, 142, 185),
        (148, 178, 165),
        (183, 217, 150),
        (222, 255, 160),
        (113, 141, 150),
        (148, 177, 128),
        (184, 215, 112),
        (224, 253, 120),
        (287, 318, 265),
    ):
        lines.append(([(x0 + 4, y), ((x0 + x1) / 2, y + 3), (x1 - 4, y)], 1.0))
    return lines


def dorsum_details():
    lines = [
        ([(150, 246), (160, 252), (172, 246)], 1.1),  # knuckles
        ([(184, 240), (198, 247), (214, 240)], 1.1),
        ([(222, 246), (236, 252), (250, 246)], 1.1),
        ([(116, 256), (126, 262), (138, 256)], 1.1),
        ([(130, 262), (138, 330), (160, 400)], 0.8),  # extensor tendons
        ([(162, 258), (170, 330), (184, 400)], 0.8),
        ([(198, 254), (198, 330), (206, 400)], 0.8),
        ([(236, 258), (228, 330), (224, 400)], 0.8),
        ([(150, 404), (200, 408), (254, 404)], 1.0),  # wrist line
    ]
    for cx, top, w in ((128, 130, 14), (163, 84, 16), (198, 63, 17), (237, 81, 16), (338, 194, 17)):
        lines.append(
            (
                [
                    (cx - w / 2, top + 10),
                    (cx - w / 2, top + 24),
                    (cx, top + 28),
                    (cx + w / 2, top + 24),
                    (cx + w / 2, top + 10),
                ],
                1.0,
            )
        )  # nails
    return lines


def hand_row(dy, dorsal):
    shape = hand_mirror(HAND) if dorsal else HAND
    details = dorsum_details() if dorsal else palm_details()
    if dorsal:
        details = [(hand_mirror(pts), w) for pts, w in details]
    shapes = [spline(shift(shape, dy=dy), closed=True), spline(shift(mirror_pts(shape, HW), dy=dy), closed=True)]
    out = silhouette_layers(shapes)
    for pts, w in details:
        colour = DETAIL if w >= 1.1 else DETAIL_SOFT
        out.append(line(shift(pts, dy=dy), colour=colour, width=w))
        out.append(line(shift(mirror_pts(pts, HW), dy=dy), colour=colour, width=w))
    return out


def fade(y0, y1, width, colour="#f7f9fb", downward=True):
    """A band that fades a cut-off limb into the background (opaque at the cut end)."""
    stops = ((0, 0), (0.7, 1), (1, 1)) if downward else ((0, 1), (0.3, 1), (1, 0))
    stop_tags = "".join(
        f'<stop offset="{offset}" stop-color="{colour}" stop-opacity="{opacity}"/>' for offset, opacity in stops
    )
    return (
        f'<linearGradient id="fade{y0}" x1="0" y1="0" x2="0" y2="1">{stop_tags}</linearGradient>'
        f'<rect x="0" y="{y0}" width="{width}" height="{y1 - y0}" fill="url(#fade{y0})"/>'
    )


def hand_svg():
    parts = []
    parts += hand_row(0, dorsal=True)
    parts.append(fade(470, 500, HW))
    parts += hand_row(500, dorsal=False)
    parts.append(fade(970, 1000, HW))
    parts.append(f'<line x1="40" y1="500" x2="{HW - 40}" y2="500" stroke="#d5dde5" stroke-width="1.5"/>')
    parts += [
        label(HW / 2, 40, "Backs of the hands", size=22, weight="normal"),
        label(HW / 2, 540, "Palms", size=22, weight="normal"),
    ]
    for y in (300, 800):
        parts += [label(40, y, "R", size=36), label(HW - 40, y, "L", size=36)]
    parts.append(label(HW / 2, 990, "as seen facing the patient", size=15, weight="normal"))
    return svg_plain(HW, HH, parts)


def svg_plain(width, height, body):
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">',
            defs(),
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f7f9fb"/>',
            *body,
            "</svg>",
        ]
    )


# ---------------------------------------------------------------------------------------------
# feet: 800 x 1200; rows: tops (dorsum), soles, inner (medial) side, outer (lateral) side.
# The patient's right foot is on the viewer's left in every row, big toe towards the centre in the
# top two rows, toes pointing outwards in the side views.
FW, FH = 800, 1200
TOES = [
    (132, 150),
    (134, 128),
    (139, 112),
    (146, 104),
    (154, 106),
    (158, 116),
    (160, 126, "c"),
    (162, 110),
    (165, 96),
    (172, 88),
    (180, 90),
    (184, 100),
    (186, 116, "c"),
    (188, 98),
    (191, 82),
    (199, 76),
    (207, 78),
    (211, 90),
    (212, 110, "c"),
    (214, 90),
    (217, 70),
    (226, 64),
    (234, 67),
    (238, 80),
    (240, 104, "c"),
    (242, 84),
    (246, 62),
    (257, 52),
    (271, 53),
    (280, 64),
    (284, 88),
    (285, 122),
]
FOOT_TOP = [
    (160, 372, "c"),
    (160, 330),
    (150, 304),
    (146, 282),
    (138, 240),
    (130, 190),
    *TOES,
    (290, 160),
    (286, 212),
    (276, 254),
    (270, 282),
    (258, 302),
    (246, 330),
    (244, 372, "c"),
]
FOOT_SOLE = [
    (204, 742),
    (170, 733),
    (154, 708),
    (148, 660),
    (143, 610),
    (138, 560),
    *shift(TOES, dy=380),
    (286, 545),
    (278, 585),
    (264, 620),
    (255, 660),
    (252, 700),
    (240, 730),
]
FOOT_SIDE = [
    (264, 801, "c"),
    (260, 820),
    (252, 842),
    (228, 862),
    (192, 880),
    (152, 894),
    (116, 902),
    (86, 907),
    (66, 912),
    (56, 922),
    (57, 936),
    (68, 945),
    (100, 948),
    (135, 950),
    (180, 946),
    (228, 944),
    (272, 949),
    (316, 953),
    (344, 944),
    (354, 924),
    (348, 898),
    (334, 872),
    (328, 840),
    (330, 801, "c"),
]


def foot_top_details():
    lines = [([(164, 300), (200, 306), (246, 300)], 1.1)]  # ankle crease
    for x0, x1 in ((242, 250), (218, 206), (202, 192), (180, 178), (156, 156)):
        lines.append(([(240 if x0 == 242 else x0 - 2, 300), ((x0 + x1) / 2, 200), (x1 + 14, 120)], 0.8))
    for cx, top, w in ((147, 104, 12), (174, 89, 13), (200, 77, 13), (227, 65, 14), (264, 53, 22)):
        lines.append(
            (
                [
                    (cx - w / 2, top + 8),
                    (cx - w / 2, top + 20),
                    (cx, top + 23),
                    (cx + w / 2, top + 20),
                    (cx + w / 2, top + 8),
                ],
                1.0,
            )
        )
    lines.append(([(146, 300), (150, 290), (156, 296)], 1.0))  # lateral malleolus
    lines.append(([(266, 288), (262, 280), (256, 288)], 1.0))  # medial malleolus
    return lines


def foot_sole_details():
    lines = [
        ([(142, 540), (180, 528), (230, 522), (284, 530)], 1.1),  # ball crease
        ([(170, 700), (205, 712), (240, 700)], 0.8),  # heel pad
        ([(262, 612), (250, 650), (246, 690)], 0.8),
    ]  # arch
    for cx, top, w in ((147, 484, 12), (174, 469, 13), (200, 457, 13), (227, 445, 14), (264, 433, 22)):
        lines.append(([(cx - w / 2, top + 30), (cx, top + 34), (cx + w / 2, top + 30)], 0.9))
    return lines


def foot_side_details(medial):
    lines = [([(322, 810), (320, 850), (332, 895)], 0.8)]  # Achilles tendon
    if medial:
        lines += [
            ([(300, 850, "o")], 1.1),  # malleolus
            ([(120, 938), (170, 926), (230, 922), (265, 932)], 0.9),  # arch
            ([(66, 916), (76, 911), (88, 911)], 1.0),
        ]  # big toe nail
    else:
        lines += [
            ([(306, 862, "o")], 1.1),
            ([(210, 940), (230, 936), (244, 944)], 0.9),  # 5th metatarsal base
            ([(60, 924), (66, 918), (74, 919)], 1.0),
        ]
    return lines


def foot_row(shape, details, dy=0.0):
    """Two feet (right on the viewer's left) with their detail lines; 4-point details are closed loops."""
    shapes = [spline(shift(shape, dy=dy), closed=True), spline(shift(mirror_pts(shape, FW), dy=dy), closed=True)]
    out = silhouette_layers(shapes)
    for pts, w in details:
        colour = DETAIL if w >= 1.1 else DETAIL_SOFT
        if len(pts) == 1:  # a bony bump, drawn as a small oval
            for x, y, _ in (pts[0], mirror_pts(pts, FW)[0]):
                out.append(
                    f'<ellipse cx="{x}" cy="{y + dy}" rx="11" ry="13" fill="none" stroke="{colour}" '
                    f'stroke-width="{w}"/>'
                )
            continue
        out.append(line(shift(pts, dy=dy), colour=colour, width=w))
        out.append(line(shift(mirror_pts(pts, FW), dy=dy), colour=colour, width=w))
    return out


def foot_svg():
    parts = []
    parts += foot_row(FOOT_TOP, foot_top_details())
    parts.append(fade(330, 380, FW))
    parts += foot_row(FOOT_SOLE, foot_sole_details())
    parts += foot_row(FOOT_SIDE, foot_side_details(True))
    parts.append(fade(795, 826, FW, downward=False))
    parts += foot_row(FOOT_SIDE, foot_side_details(False), dy=220)
    parts.append(fade(1015, 1046, FW, downward=False))
    for y in (380, 760, 980):
        parts.append(f'<line x1="40" y1="{y}" x2="{FW - 40}" y2="{y}" stroke="#d5dde5" stroke-width="1.5"/>')
    parts += [
        label(FW / 2, 34, "Tops of the feet", size=22, weight="normal"),
        label(FW / 2, 414, "Soles", size=22, weight="normal"),
        label(FW / 2, 790, "Inner sides", size=22, weight="normal"),
        label(FW / 2, 1010, "Outer sides", size=22, weight="normal"),
    ]
    for y in (230, 620, 850, 1070):
        parts += [label(30, y, "R", size=32), label(FW - 30, y, "L", size=32)]
    parts.append(label(FW / 2, 1190, "as seen facing the patient", size=15, weight="normal"))
    return svg_plain(FW, FH, parts)


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    (out / "front.svg").write_text(body_svg(False), encoding="utf-8")
    (out / "back.svg").write_text(body_svg(True), encoding="utf-8")
    (out / "hand.svg").write_text(hand_svg(), encoding="utf-8")
    (out / "foot.svg").write_text(foot_svg(), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
