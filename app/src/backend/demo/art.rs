//! Product illustrations drawn by the program itself for the demo market: a soft
//! gradient, a shadow and a simple object per category, anti-aliased through
//! signed distance functions. Shapes are laid out on an 800×600 board and drawn
//! at any scale, so the demo can store pictures smaller than the board.

use image::{Rgb, RgbImage};

/// The board the shapes are laid out on; `illustrate` scales it.
pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 600;

struct Canvas {
    img: RgbImage,
    /// Pixels per board unit.
    scale: f32,
}

type Color = [f32; 3];
type Point = (f32, f32);

impl Canvas {
    fn gradient(top: Color, bottom: Color, scale: f32) -> Canvas {
        let width = ((WIDTH as f32 * scale).round() as u32).max(1);
        let height = ((HEIGHT as f32 * scale).round() as u32).max(1);
        // The blend depends on the row only, so compute it once per row.
        let rows: Vec<Rgb<u8>> = (0..height)
            .map(|y| to_rgb(mix(top, bottom, y as f32 / height as f32)))
            .collect();
        let img = RgbImage::from_fn(width, height, |_, y| rows[y as usize]);
        Canvas { img, scale }
    }

    /// Blends `color` wherever the distance `sdf(x, y)` is ≤ 0, with a one-pixel
    /// soft edge, inside the box `(x0, y0)–(x1, y1)`. Coordinates and distances
    /// are in board units.
    fn paint(&mut self, color: Color, opacity: f32, bbox: [f32; 4], sdf: impl Fn(f32, f32) -> f32) {
        let s = self.scale;
        let (width, height) = self.img.dimensions();
        let [x0, y0, x1, y1] = bbox.map(|v| v * s);
        let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        for y in clamp(y0 - 2.0, height)..clamp(y1 + 2.0, height) {
            for x in clamp(x0 - 2.0, width)..clamp(x1 + 2.0, width) {
                // Measured on the board; times the scale it is in pixels, which
                // keeps the soft edge one pixel wide at any size.
                let d = sdf((x as f32 + 0.5) / s, (y as f32 + 0.5) / s) * s;
                let alpha = (0.5 - d).clamp(0.0, 1.0) * opacity;
                if alpha > 0.0 {
                    let px = self.img.get_pixel_mut(x, y);
                    let under = [px[0] as f32, px[1] as f32, px[2] as f32];
                    *px = to_rgb(mix(under, color, alpha));
                }
            }
        }
    }

    fn circle(&mut self, cx: f32, cy: f32, r: f32, color: Color) {
        self.paint(color, 1.0, [cx - r, cy - r, cx + r, cy + r], |x, y| {
            ((x - cx).powi(2) + (y - cy).powi(2)).sqrt() - r
        });
    }

    fn ring(&mut self, cx: f32, cy: f32, r: f32, thickness: f32, color: Color) {
        let outer = r + thickness / 2.0;
        self.paint(
            color,
            1.0,
            [cx - outer, cy - outer, cx + outer, cy + outer],
            |x, y| (((x - cx).powi(2) + (y - cy).powi(2)).sqrt() - r).abs() - thickness / 2.0,
        );
    }

    /// The upper half of a ring: a headband, a handle.
    fn arch(&mut self, cx: f32, cy: f32, r: f32, thickness: f32, color: Color) {
        let outer = r + thickness / 2.0;
        self.paint(
            color,
            1.0,
            [cx - outer, cy - outer, cx + outer, cy],
            |x, y| {
                let ring =
                    (((x - cx).powi(2) + (y - cy).powi(2)).sqrt() - r).abs() - thickness / 2.0;
                ring.max(y - cy)
            },
        );
    }

    fn ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, color: Color, opacity: f32) {
        self.paint(
            color,
            opacity,
            [cx - rx, cy - ry, cx + rx, cy + ry],
            |x, y| {
                let k = (((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2)).sqrt();
                (k - 1.0) * rx.min(ry)
            },
        );
    }

    /// An ellipse turned by `angle` radians: a leaf, a glint on glass.
    fn tilted_ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, angle: f32, color: Color) {
        let (sin, cos) = angle.sin_cos();
        let r = rx.max(ry);
        self.paint(color, 1.0, [cx - r, cy - r, cx + r, cy + r], |x, y| {
            let (dx, dy) = (x - cx, y - cy);
            let (u, v) = (dx * cos + dy * sin, dy * cos - dx * sin);
            (((u / rx).powi(2) + (v / ry).powi(2)).sqrt() - 1.0) * rx.min(ry)
        });
    }

    fn rounded_rect(&mut self, x: f32, y: f32, w: f32, h: f32, r: f32, color: Color) {
        let (cx, cy, hw, hh) = (x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0);
        self.paint(color, 1.0, [x, y, x + w, y + h], |px, py| {
            let qx = (px - cx).abs() - (hw - r);
            let qy = (py - cy).abs() - (hh - r);
            (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt() + qx.max(qy).min(0.0) - r
        });
    }

    /// A stroke from `a` to `b` with round ends.
    fn segment(&mut self, a: Point, b: Point, width: f32, color: Color) {
        let r = width / 2.0;
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = (dx * dx + dy * dy).max(f32::EPSILON);
        let bbox = [
            a.0.min(b.0) - r,
            a.1.min(b.1) - r,
            a.0.max(b.0) + r,
            a.1.max(b.1) + r,
        ];
        self.paint(color, 1.0, bbox, |x, y| {
            let t = (((x - a.0) * dx + (y - a.1) * dy) / len2).clamp(0.0, 1.0);
            ((x - a.0 - t * dx).powi(2) + (y - a.1 - t * dy).powi(2)).sqrt() - r
        });
    }

    /// A convex polygon, its corners in either winding order.
    fn polygon(&mut self, corners: &[Point], color: Color) {
        let edges = || corners.iter().zip(corners.iter().cycle().skip(1));
        // The sign of the area tells the winding, so every normal can point out.
        let area: f32 = edges().map(|(a, b)| a.0 * b.1 - b.0 * a.1).sum();
        let sign = if area < 0.0 { -1.0 } else { 1.0 };
        let planes: Vec<(Point, Point)> = edges()
            .map(|(a, b)| {
                let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                let len = (dx * dx + dy * dy).sqrt().max(f32::EPSILON);
                (*a, (sign * dy / len, -sign * dx / len))
            })
            .collect();
        let bbox = corners.iter().fold(
            [f32::MAX, f32::MAX, f32::MIN, f32::MIN],
            |[x0, y0, x1, y1], p| [x0.min(p.0), y0.min(p.1), x1.max(p.0), y1.max(p.1)],
        );
        // Outside a convex shape the farthest edge line is (near enough) the
        // distance; exact inside, which is all the soft edge needs.
        self.paint(color, 1.0, bbox, |x, y| {
            planes
                .iter()
                .map(|(a, n)| (x - a.0) * n.0 + (y - a.1) * n.1)
                .fold(f32::MIN, f32::max)
        });
    }
}

fn mix(a: Color, b: Color, t: f32) -> Color {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn to_rgb(c: Color) -> Rgb<u8> {
    Rgb(c.map(|v| v.round().clamp(0.0, 255.0) as u8))
}

/// HSL (hue in degrees, saturation and lightness in 0..1) to RGB in 0..255.
fn hsl(h: f32, s: f32, l: f32) -> Color {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h.rem_euclid(360.0)) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [(r + m) * 255.0, (g + m) * 255.0, (b + m) * 255.0]
}

/// Draws the illustration for a listing in the category `slug` at `scale`
/// pixels per board unit (1.0 gives `WIDTH`×`HEIGHT`); `hue` varies the colours.
pub fn illustrate(slug: &str, hue: f32, scale: f32) -> RgbImage {
    let mut c = Canvas::gradient(hsl(hue, 0.55, 0.93), hsl(hue + 20.0, 0.45, 0.80), scale);
    c.ellipse(400.0, 505.0, 230.0, 30.0, [20.0, 20.0, 40.0], 0.16);
    let main = hsl(hue, 0.62, 0.55);
    let dark = hsl(hue, 0.45, 0.28);
    let light = hsl(hue, 0.70, 0.88);
    let white = [250.0, 248.0, 244.0];
    // Black plastic and metal of devices.
    let ink = [38.0, 40.0, 48.0];
    match slug {
        "desserts" => {
            c.ellipse(400.0, 470.0, 240.0, 42.0, white, 1.0);
            c.rounded_rect(220.0, 330.0, 360.0, 135.0, 26.0, hsl(35.0, 0.55, 0.70));
            c.rounded_rect(220.0, 300.0, 360.0, 52.0, 26.0, white);
            c.rounded_rect(250.0, 215.0, 300.0, 100.0, 24.0, main);
            for i in 0..6 {
                c.circle(275.0 + i as f32 * 50.0, 218.0, 18.0, white);
            }
            c.circle(400.0, 188.0, 26.0, hsl(355.0, 0.75, 0.48));
        }
        // A tablet, lying landscape with a page of text.
        "electronics" => {
            c.rounded_rect(170.0, 150.0, 460.0, 330.0, 34.0, ink);
            c.rounded_rect(195.0, 175.0, 410.0, 280.0, 12.0, light);
            c.rounded_rect(230.0, 210.0, 180.0, 20.0, 10.0, main);
            for (i, w) in [340.0, 280.0, 340.0, 280.0, 340.0].into_iter().enumerate() {
                c.rounded_rect(230.0, 255.0 + i as f32 * 34.0, w, 12.0, 6.0, dark);
            }
        }
        "phones" => {
            c.rounded_rect(290.0, 95.0, 220.0, 400.0, 38.0, ink);
            c.rounded_rect(305.0, 128.0, 190.0, 334.0, 18.0, main);
            c.ellipse(400.0, 230.0, 70.0, 70.0, light, 0.55);
            c.circle(400.0, 112.0, 6.0, [90.0, 92.0, 100.0]);
        }
        // A laptop, open.
        "computers" => {
            c.rounded_rect(225.0, 150.0, 350.0, 252.0, 18.0, ink);
            c.rounded_rect(242.0, 167.0, 316.0, 216.0, 8.0, main);
            c.tilted_ellipse(320.0, 230.0, 70.0, 26.0, -0.5, light);
            c.polygon(
                &[
                    (225.0, 400.0),
                    (575.0, 400.0),
                    (650.0, 460.0),
                    (150.0, 460.0),
                ],
                [200.0, 203.0, 210.0],
            );
            c.polygon(
                &[
                    (350.0, 438.0),
                    (450.0, 438.0),
                    (456.0, 452.0),
                    (344.0, 452.0),
                ],
                [176.0, 179.0, 187.0],
            );
            c.rounded_rect(150.0, 456.0, 500.0, 16.0, 8.0, [150.0, 153.0, 160.0]);
        }
        // Over-ear headphones.
        "audio" => {
            c.arch(400.0, 310.0, 150.0, 26.0, dark);
            c.rounded_rect(215.0, 290.0, 74.0, 150.0, 32.0, main);
            c.rounded_rect(511.0, 290.0, 74.0, 150.0, 32.0, main);
            c.rounded_rect(198.0, 315.0, 30.0, 100.0, 14.0, dark);
            c.rounded_rect(572.0, 315.0, 30.0, 100.0, 14.0, dark);
        }
        // A camera from the front: body, lens and glass.
        "cameras" => {
            let body = [48.0, 49.0, 56.0];
            c.rounded_rect(300.0, 175.0, 130.0, 70.0, 16.0, body);
            c.rounded_rect(470.0, 195.0, 56.0, 26.0, 8.0, main);
            c.rounded_rect(210.0, 215.0, 380.0, 245.0, 34.0, body);
            c.rounded_rect(210.0, 268.0, 380.0, 40.0, 0.0, main);
            c.rounded_rect(505.0, 232.0, 56.0, 26.0, 6.0, light);
            c.circle(400.0, 345.0, 100.0, [28.0, 28.0, 34.0]);
            c.ring(400.0, 345.0, 92.0, 10.0, [130.0, 132.0, 140.0]);
            c.circle(400.0, 345.0, 62.0, hsl(hue + 200.0, 0.45, 0.30));
            c.circle(400.0, 345.0, 34.0, hsl(hue + 200.0, 0.55, 0.16));
            c.circle(378.0, 322.0, 14.0, light);
        }
        // Sunglasses.
        "fashion" => {
            c.segment((225.0, 300.0), (168.0, 278.0), 12.0, dark);
            c.segment((575.0, 300.0), (632.0, 278.0), 12.0, dark);
            c.ellipse(305.0, 330.0, 100.0, 75.0, main, 1.0);
            c.ellipse(495.0, 330.0, 100.0, 75.0, main, 1.0);
            c.ellipse(305.0, 330.0, 86.0, 61.0, ink, 1.0);
            c.ellipse(495.0, 330.0, 86.0, 61.0, ink, 1.0);
            c.tilted_ellipse(278.0, 305.0, 34.0, 11.0, -0.35, light);
            c.tilted_ellipse(468.0, 305.0, 34.0, 11.0, -0.35, light);
        }
        // A T-shirt.
        "clothing" => {
            c.polygon(
                &[
                    (305.0, 195.0),
                    (305.0, 300.0),
                    (240.0, 325.0),
                    (200.0, 255.0),
                ],
                main,
            );
            c.polygon(
                &[
                    (495.0, 195.0),
                    (600.0, 255.0),
                    (560.0, 325.0),
                    (495.0, 300.0),
                ],
                main,
            );
            c.rounded_rect(300.0, 190.0, 200.0, 290.0, 16.0, main);
            c.ellipse(400.0, 192.0, 48.0, 24.0, dark, 1.0);
            c.circle(400.0, 320.0, 40.0, light);
        }
        // A handbag.
        "bags" => {
            c.ring(400.0, 265.0, 95.0, 18.0, dark);
            c.rounded_rect(245.0, 260.0, 310.0, 235.0, 32.0, main);
            c.rounded_rect(245.0, 260.0, 310.0, 90.0, 32.0, dark);
            c.circle(400.0, 350.0, 18.0, hsl(45.0, 0.8, 0.6));
        }
        // A sneaker, toe to the right.
        "shoes" => {
            c.polygon(
                &[
                    (215.0, 300.0),
                    (360.0, 300.0),
                    (600.0, 385.0),
                    (620.0, 440.0),
                    (215.0, 440.0),
                ],
                main,
            );
            c.rounded_rect(205.0, 300.0, 26.0, 110.0, 10.0, dark);
            c.ellipse(285.0, 304.0, 60.0, 16.0, dark, 1.0);
            c.segment((290.0, 405.0), (500.0, 372.0), 14.0, light);
            for i in 0..3 {
                let x = 385.0 + i as f32 * 32.0;
                let y = 318.0 + i as f32 * 11.0;
                c.segment((x, y), (x + 16.0, y + 28.0), 8.0, white);
            }
            c.rounded_rect(200.0, 432.0, 435.0, 42.0, 20.0, white);
            c.rounded_rect(210.0, 448.0, 415.0, 6.0, 3.0, light);
        }
        // A potted plant.
        "home" => {
            let leaf = hsl(130.0, 0.45, 0.36);
            let young = hsl(115.0, 0.42, 0.50);
            c.tilted_ellipse(325.0, 270.0, 34.0, 100.0, -0.6, young);
            c.tilted_ellipse(475.0, 270.0, 34.0, 100.0, 0.6, young);
            c.tilted_ellipse(400.0, 235.0, 38.0, 120.0, 0.0, leaf);
            c.tilted_ellipse(360.0, 300.0, 28.0, 72.0, -0.3, leaf);
            c.tilted_ellipse(440.0, 300.0, 28.0, 72.0, 0.3, leaf);
            c.polygon(
                &[
                    (320.0, 360.0),
                    (480.0, 360.0),
                    (455.0, 490.0),
                    (345.0, 490.0),
                ],
                main,
            );
            c.rounded_rect(305.0, 345.0, 190.0, 32.0, 10.0, dark);
        }
        // A two-seat sofa.
        "furniture" => {
            let legs = hsl(25.0, 0.45, 0.28);
            let seat = hsl(hue, 0.60, 0.66);
            c.rounded_rect(215.0, 440.0, 18.0, 45.0, 5.0, legs);
            c.rounded_rect(567.0, 440.0, 18.0, 45.0, 5.0, legs);
            c.rounded_rect(200.0, 230.0, 400.0, 150.0, 34.0, dark);
            c.rounded_rect(215.0, 245.0, 180.0, 120.0, 26.0, main);
            c.rounded_rect(405.0, 245.0, 180.0, 120.0, 26.0, main);
            c.rounded_rect(200.0, 350.0, 400.0, 100.0, 24.0, dark);
            c.rounded_rect(215.0, 355.0, 180.0, 50.0, 16.0, seat);
            c.rounded_rect(405.0, 355.0, 180.0, 50.0, 16.0, seat);
            c.rounded_rect(160.0, 300.0, 70.0, 160.0, 30.0, dark);
            c.rounded_rect(570.0, 300.0, 70.0, 160.0, 30.0, dark);
        }
        // A mug of coffee.
        "kitchen" => {
            c.ring(492.0, 352.0, 52.0, 20.0, dark);
            c.rounded_rect(290.0, 240.0, 190.0, 235.0, 24.0, main);
            c.ellipse(385.0, 250.0, 90.0, 16.0, hsl(25.0, 0.5, 0.25), 1.0);
            c.rounded_rect(290.0, 330.0, 190.0, 26.0, 0.0, light);
        }
        "books" => {
            for (i, (x, w, h2)) in [
                (230.0, 340.0, 0.0),
                (255.0, 300.0, 40.0),
                (215.0, 330.0, 90.0),
            ]
            .iter()
            .enumerate()
            {
                let y = 395.0 - i as f32 * 72.0;
                c.rounded_rect(
                    *x,
                    y,
                    *w,
                    66.0,
                    8.0,
                    hsl(hue + h2, 0.55, 0.45 + i as f32 * 0.08),
                );
                c.rounded_rect(*x + *w - 34.0, y + 8.0, 26.0, 50.0, 4.0, white);
            }
        }
        // A standing textbook and a pencil.
        "textbooks" => {
            c.rounded_rect(285.0, 120.0, 250.0, 360.0, 14.0, main);
            c.rounded_rect(265.0, 120.0, 40.0, 360.0, 10.0, dark);
            c.rounded_rect(330.0, 170.0, 170.0, 70.0, 8.0, white);
            c.rounded_rect(345.0, 188.0, 140.0, 12.0, 6.0, dark);
            c.rounded_rect(345.0, 212.0, 95.0, 10.0, 5.0, main);
            c.ring(415.0, 340.0, 55.0, 10.0, light);
            c.segment((360.0, 395.0), (470.0, 285.0), 8.0, light);
            c.segment((455.0, 500.0), (600.0, 265.0), 18.0, hsl(45.0, 0.85, 0.58));
            c.segment((600.0, 265.0), (612.0, 246.0), 7.0, [60.0, 55.0, 50.0]);
        }
        // A comic page: panels and a speech bubble.
        "comics" => {
            c.rounded_rect(245.0, 115.0, 310.0, 380.0, 6.0, white);
            for [x, y, w, h] in [
                [265.0, 135.0, 130.0, 160.0],
                [405.0, 135.0, 130.0, 160.0],
                [265.0, 305.0, 270.0, 170.0],
            ] {
                c.rounded_rect(x, y, w, h, 4.0, dark);
                c.rounded_rect(x + 5.0, y + 5.0, w - 10.0, h - 10.0, 2.0, light);
            }
            c.circle(470.0, 235.0, 35.0, main);
            c.circle(400.0, 395.0, 58.0, main);
            c.ring(400.0, 395.0, 74.0, 6.0, dark);
            c.ellipse(335.0, 190.0, 50.0, 30.0, white, 1.0);
            c.polygon(&[(318.0, 212.0), (345.0, 214.0), (310.0, 242.0)], white);
        }
        // A game controller.
        "games" => {
            c.rounded_rect(220.0, 265.0, 360.0, 180.0, 86.0, dark);
            c.rounded_rect(282.0, 336.0, 72.0, 22.0, 5.0, light);
            c.rounded_rect(307.0, 311.0, 22.0, 72.0, 5.0, light);
            for (x, y, h2) in [
                (505.0, 300.0, 0.0),
                (540.0, 335.0, 90.0),
                (470.0, 335.0, 180.0),
                (505.0, 370.0, 270.0),
            ] {
                c.circle(x, y, 15.0, hsl(hue + h2, 0.7, 0.6));
            }
        }
        // A handheld console with detachable sides.
        "consoles" => {
            c.rounded_rect(170.0, 235.0, 130.0, 190.0, 50.0, main);
            c.rounded_rect(
                500.0,
                235.0,
                130.0,
                190.0,
                50.0,
                hsl(hue + 150.0, 0.7, 0.55),
            );
            c.rounded_rect(265.0, 235.0, 270.0, 190.0, 10.0, ink);
            c.rounded_rect(283.0, 252.0, 234.0, 156.0, 6.0, light);
            c.ellipse(400.0, 330.0, 70.0, 40.0, main, 0.5);
            c.circle(228.0, 290.0, 20.0, dark);
            c.circle(572.0, 370.0, 20.0, dark);
            for (x, y) in [
                (572.0, 270.0),
                (597.0, 295.0),
                (547.0, 295.0),
                (572.0, 320.0),
            ] {
                c.circle(x, y, 9.0, dark);
            }
            for (x, y) in [
                (228.0, 345.0),
                (253.0, 370.0),
                (203.0, 370.0),
                (228.0, 395.0),
            ] {
                c.circle(x, y, 9.0, dark);
            }
        }
        // A game case with its disc peeking out.
        "video_games" => {
            c.circle(520.0, 320.0, 135.0, [208.0, 211.0, 220.0]);
            c.tilted_ellipse(580.0, 270.0, 60.0, 22.0, 0.6, light);
            c.circle(520.0, 320.0, 22.0, white);
            c.rounded_rect(240.0, 120.0, 270.0, 370.0, 14.0, dark);
            c.rounded_rect(256.0, 160.0, 238.0, 314.0, 6.0, light);
            c.rounded_rect(256.0, 132.0, 120.0, 16.0, 8.0, main);
            c.circle(375.0, 290.0, 60.0, main);
            c.polygon(
                &[(256.0, 474.0), (350.0, 360.0), (440.0, 474.0)],
                hsl(hue + 120.0, 0.5, 0.45),
            );
            c.polygon(
                &[
                    (380.0, 474.0),
                    (450.0, 390.0),
                    (494.0, 440.0),
                    (494.0, 474.0),
                ],
                hsl(hue + 140.0, 0.5, 0.35),
            );
        }
        // A cut gem: what a game account is worth to its owner.
        "game_accounts" => {
            c.polygon(
                &[
                    (300.0, 200.0),
                    (500.0, 200.0),
                    (570.0, 280.0),
                    (230.0, 280.0),
                ],
                hsl(hue + 10.0, 0.7, 0.72),
            );
            c.polygon(&[(230.0, 280.0), (570.0, 280.0), (400.0, 480.0)], main);
            c.polygon(&[(340.0, 200.0), (460.0, 200.0), (400.0, 280.0)], light);
            c.polygon(
                &[(400.0, 280.0), (490.0, 280.0), (400.0, 480.0)],
                hsl(hue, 0.6, 0.42),
            );
            c.circle(612.0, 190.0, 8.0, white);
            c.circle(196.0, 360.0, 6.0, white);
            c.circle(590.0, 405.0, 5.0, white);
        }
        // A ball.
        "sports" => {
            c.circle(400.0, 330.0, 155.0, white);
            c.ring(400.0, 330.0, 118.0, 14.0, main);
            c.ring(400.0, 330.0, 62.0, 14.0, dark);
            c.circle(400.0, 330.0, 20.0, main);
        }
        // A bicycle.
        "bikes" => {
            let tyre = [40.0, 40.0, 46.0];
            c.ring(260.0, 390.0, 88.0, 14.0, tyre);
            c.ring(540.0, 390.0, 88.0, 14.0, tyre);
            c.circle(260.0, 390.0, 9.0, dark);
            c.circle(540.0, 390.0, 9.0, dark);
            for (a, b) in [
                ((260.0, 390.0), (385.0, 390.0)),
                ((385.0, 390.0), (345.0, 265.0)),
                ((345.0, 265.0), (500.0, 275.0)),
                ((500.0, 275.0), (385.0, 390.0)),
                ((260.0, 390.0), (345.0, 265.0)),
                ((500.0, 275.0), (540.0, 390.0)),
            ] {
                c.segment(a, b, 14.0, main);
            }
            c.segment((500.0, 275.0), (492.0, 238.0), 10.0, dark);
            c.segment((470.0, 234.0), (520.0, 238.0), 12.0, dark);
            c.segment((345.0, 265.0), (340.0, 245.0), 10.0, dark);
            c.rounded_rect(305.0, 232.0, 70.0, 18.0, 9.0, dark);
            c.circle(385.0, 390.0, 18.0, dark);
        }
        // A tent with its door open.
        "outdoor" => {
            c.segment((400.0, 172.0), (400.0, 140.0), 6.0, dark);
            c.polygon(
                &[(400.0, 140.0), (442.0, 152.0), (400.0, 164.0)],
                hsl(hue + 180.0, 0.7, 0.55),
            );
            c.polygon(&[(400.0, 170.0), (620.0, 470.0), (180.0, 470.0)], main);
            c.polygon(
                &[(400.0, 170.0), (620.0, 470.0), (520.0, 470.0)],
                hsl(hue, 0.55, 0.45),
            );
            c.polygon(&[(400.0, 250.0), (465.0, 470.0), (335.0, 470.0)], dark);
            c.segment((160.0, 472.0), (640.0, 472.0), 8.0, dark);
        }
        // A vinyl record sliding out of its sleeve.
        "collectibles" => {
            c.circle(525.0, 320.0, 145.0, [28.0, 28.0, 33.0]);
            for r in [120.0, 100.0, 80.0] {
                c.ring(525.0, 320.0, r, 2.0, [62.0, 62.0, 70.0]);
            }
            c.circle(525.0, 320.0, 45.0, hsl(hue + 180.0, 0.6, 0.55));
            c.circle(525.0, 320.0, 6.0, light);
            c.rounded_rect(170.0, 170.0, 300.0, 300.0, 6.0, main);
            c.circle(320.0, 320.0, 85.0, light);
            c.circle(320.0, 320.0, 40.0, dark);
        }
        // A teddy bear with a bow.
        "kids" => {
            let fur = hsl(30.0, 0.45, 0.45);
            let pale = hsl(32.0, 0.50, 0.72);
            let eye = [40.0, 30.0, 25.0];
            c.circle(318.0, 178.0, 40.0, fur);
            c.circle(482.0, 178.0, 40.0, fur);
            c.circle(318.0, 178.0, 20.0, pale);
            c.circle(482.0, 178.0, 20.0, pale);
            c.ellipse(400.0, 395.0, 120.0, 100.0, fur, 1.0);
            c.circle(285.0, 455.0, 40.0, fur);
            c.circle(515.0, 455.0, 40.0, fur);
            c.ellipse(400.0, 405.0, 68.0, 58.0, pale, 1.0);
            c.circle(400.0, 240.0, 100.0, fur);
            c.ellipse(400.0, 272.0, 42.0, 32.0, pale, 1.0);
            c.ellipse(400.0, 258.0, 14.0, 10.0, eye, 1.0);
            c.circle(362.0, 222.0, 10.0, eye);
            c.circle(438.0, 222.0, 10.0, eye);
            c.polygon(&[(400.0, 340.0), (345.0, 312.0), (345.0, 368.0)], main);
            c.polygon(&[(400.0, 340.0), (455.0, 312.0), (455.0, 368.0)], main);
            c.circle(400.0, 340.0, 14.0, dark);
        }
        // "other" and anything unknown: a taped parcel.
        _ => {
            c.polygon(
                &[
                    (250.0, 260.0),
                    (330.0, 200.0),
                    (570.0, 200.0),
                    (490.0, 260.0),
                ],
                hsl(34.0, 0.55, 0.74),
            );
            c.polygon(
                &[
                    (490.0, 260.0),
                    (570.0, 200.0),
                    (570.0, 420.0),
                    (490.0, 480.0),
                ],
                hsl(30.0, 0.45, 0.48),
            );
            c.polygon(
                &[
                    (250.0, 260.0),
                    (490.0, 260.0),
                    (490.0, 480.0),
                    (250.0, 480.0),
                ],
                hsl(32.0, 0.50, 0.62),
            );
            c.polygon(
                &[
                    (350.0, 260.0),
                    (390.0, 260.0),
                    (470.0, 200.0),
                    (430.0, 200.0),
                ],
                main,
            );
            c.rounded_rect(350.0, 260.0, 40.0, 70.0, 0.0, main);
            c.rounded_rect(275.0, 390.0, 95.0, 60.0, 5.0, white);
            c.rounded_rect(287.0, 405.0, 70.0, 8.0, 4.0, dark);
            c.rounded_rect(287.0, 425.0, 50.0, 8.0, 4.0, dark);
        }
    }
    c.img
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::category::CATEGORIES;

    #[test]
    fn every_category_draws_a_distinct_picture() {
        // Small pictures keep the unoptimised test quick; the shapes are the same.
        let images: Vec<(&str, RgbImage)> = CATEGORIES
            .iter()
            .map(|c| (c.slug, illustrate(c.slug, 200.0, 0.25)))
            .collect();
        for (i, (slug, img)) in images.iter().enumerate() {
            assert_eq!(img.dimensions(), (200, 150));
            // The object fills the middle: many pixels there differ from the
            // background at the left edge of the same row.
            let drawn = (40..160)
                .step_by(4)
                .flat_map(|x| (30..115).step_by(4).map(move |y| (x, y)))
                .filter(|&(x, y)| img.get_pixel(x, y) != img.get_pixel(1, y))
                .count();
            assert!(drawn > 50, "{slug}: {drawn} pixels drawn");
            for (other, other_img) in &images[i + 1..] {
                assert_ne!(
                    img.as_raw(),
                    other_img.as_raw(),
                    "{slug} looks like {other}"
                );
            }
        }
        assert_ne!(
            illustrate("books", 10.0, 0.25).as_raw(),
            illustrate("books", 200.0, 0.25).as_raw()
        );
    }

    #[test]
    fn the_board_scales_to_the_requested_size() {
        assert_eq!(
            illustrate("phones", 30.0, 1.0).dimensions(),
            (WIDTH, HEIGHT)
        );
        assert_eq!(illustrate("phones", 30.0, 0.8).dimensions(), (640, 480));
        // The same picture, just smaller: the screen is in the same place.
        let big = illustrate("phones", 30.0, 1.0);
        let small = illustrate("phones", 30.0, 0.5);
        assert_eq!(big.get_pixel(400, 300), small.get_pixel(200, 150));
    }

    #[test]
    fn hsl_hits_the_primaries() {
        assert_eq!(to_rgb(hsl(0.0, 1.0, 0.5)), Rgb([255, 0, 0]));
        assert_eq!(to_rgb(hsl(120.0, 1.0, 0.5)), Rgb([0, 255, 0]));
        assert_eq!(to_rgb(hsl(240.0, 1.0, 0.5)), Rgb([0, 0, 255]));
        assert_eq!(to_rgb(hsl(-120.0, 1.0, 0.5)), Rgb([0, 0, 255]));
        assert_eq!(to_rgb(hsl(0.0, 0.0, 1.0)), Rgb([255, 255, 255]));
    }
}
