//! Product illustrations drawn by the program itself for the demo market: a soft
//! gradient, a shadow and a simple object per category, anti-aliased through
//! signed distance functions.

use image::{Rgb, RgbImage};

pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 600;

struct Canvas {
    img: RgbImage,
}

type Color = [f32; 3];

impl Canvas {
    fn gradient(top: Color, bottom: Color) -> Canvas {
        let img = RgbImage::from_fn(WIDTH, HEIGHT, |_, y| {
            let t = y as f32 / HEIGHT as f32;
            to_rgb(mix(top, bottom, t))
        });
        Canvas { img }
    }

    /// Blends `color` wherever the distance `sdf(x, y)` is ≤ 0, with a one-pixel
    /// soft edge, inside the box `(x0, y0)–(x1, y1)`.
    fn paint(&mut self, color: Color, opacity: f32, bbox: [f32; 4], sdf: impl Fn(f32, f32) -> f32) {
        let [x0, y0, x1, y1] = bbox;
        let clamp_x = |v: f32| (v.max(0.0) as u32).min(WIDTH);
        let clamp_y = |v: f32| (v.max(0.0) as u32).min(HEIGHT);
        for y in clamp_y(y0 - 2.0)..clamp_y(y1 + 2.0) {
            for x in clamp_x(x0 - 2.0)..clamp_x(x1 + 2.0) {
                let alpha = (0.5 - sdf(x as f32 + 0.5, y as f32 + 0.5)).clamp(0.0, 1.0) * opacity;
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

    fn rounded_rect(&mut self, x: f32, y: f32, w: f32, h: f32, r: f32, color: Color) {
        let (cx, cy, hw, hh) = (x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0);
        self.paint(color, 1.0, [x, y, x + w, y + h], |px, py| {
            let qx = (px - cx).abs() - (hw - r);
            let qy = (py - cy).abs() - (hh - r);
            (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt() + qx.max(qy).min(0.0) - r
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

/// Draws the illustration for a listing of `category`; `hue` varies the colours.
pub fn illustrate(category: &str, hue: f32) -> RgbImage {
    let mut c = Canvas::gradient(hsl(hue, 0.55, 0.93), hsl(hue + 20.0, 0.45, 0.80));
    c.ellipse(400.0, 505.0, 230.0, 30.0, [20.0, 20.0, 40.0], 0.16);
    let main = hsl(hue, 0.62, 0.55);
    let dark = hsl(hue, 0.45, 0.28);
    let light = hsl(hue, 0.70, 0.88);
    let white = [250.0, 248.0, 244.0];
    match category {
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
        "electronics" => {
            c.rounded_rect(290.0, 95.0, 220.0, 400.0, 38.0, [38.0, 40.0, 48.0]);
            c.rounded_rect(305.0, 128.0, 190.0, 334.0, 18.0, main);
            c.ellipse(400.0, 230.0, 70.0, 70.0, light, 0.55);
            c.circle(400.0, 112.0, 6.0, [90.0, 92.0, 100.0]);
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
        "fashion" => {
            c.ring(400.0, 265.0, 95.0, 18.0, dark);
            c.rounded_rect(245.0, 260.0, 310.0, 235.0, 32.0, main);
            c.rounded_rect(245.0, 260.0, 310.0, 90.0, 32.0, dark);
            c.circle(400.0, 350.0, 18.0, hsl(45.0, 0.8, 0.6));
        }
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
        "home" => {
            c.ring(492.0, 352.0, 52.0, 20.0, dark);
            c.rounded_rect(290.0, 240.0, 190.0, 235.0, 24.0, main);
            c.ellipse(385.0, 250.0, 90.0, 16.0, hsl(25.0, 0.5, 0.25), 1.0);
            c.rounded_rect(290.0, 330.0, 190.0, 26.0, 0.0, light);
        }
        _ => {
            c.circle(400.0, 330.0, 155.0, white);
            c.ring(400.0, 330.0, 118.0, 14.0, main);
            c.ring(400.0, 330.0, 62.0, 14.0, dark);
            c.circle(400.0, 330.0, 20.0, main);
        }
    }
    c.img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_category_draws_a_distinct_picture() {
        let categories = [
            "desserts",
            "electronics",
            "books",
            "fashion",
            "games",
            "home",
            "sports",
        ];
        let images: Vec<RgbImage> = categories.iter().map(|c| illustrate(c, 200.0)).collect();
        for (i, img) in images.iter().enumerate() {
            assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
            // The object covers the centre, so it differs from the background corner.
            assert_ne!(
                img.get_pixel(400, 330),
                img.get_pixel(5, 330),
                "{}",
                categories[i]
            );
            for other in &images[i + 1..] {
                assert_ne!(img.as_raw(), other.as_raw());
            }
        }
        assert_ne!(
            illustrate("books", 10.0).as_raw(),
            illustrate("books", 200.0).as_raw()
        );
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
