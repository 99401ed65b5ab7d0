//! Printable pages of figures: well-formed HTML (it also parses as XML), styles inline, charts as
//! SVG drawn here; no script, no external asset, no URL outside the server, so a page prints
//! on A4 and opens on an intranet without internet.

use std::fmt::Write as _;

/// Text made safe for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as a page shows it: integers without decimals, others with one, none as "–".
pub fn number(v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

const STYLE: &str = "@page{size:A4;margin:14mm}\
body{font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif;color:#1d2433;margin:0 auto;max-width:182mm;font-size:10.5pt}\
h1{font-size:18pt;margin:0 0 2mm}h2{font-size:13pt;border-bottom:0.6mm solid #b3261e;padding-bottom:1mm;margin:7mm 0 3mm}\
p.meta{color:#5b6475;margin:0 0 4mm}section{break-inside:avoid}\
table{border-collapse:collapse;width:100%;margin:0 0 3mm}th,td{border:0.2mm solid #c8ccd4;padding:1mm 2mm;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f1f2f5}\
figure{margin:0 0 3mm;break-inside:avoid}figcaption{font-size:9pt;color:#5b6475}svg{width:100%;height:auto}";

/// A page being written.
pub struct Page {
    out: String,
}

impl Page {
    /// A page titled `title` with a line of `meta` under the heading.
    pub fn new(title: &str, meta: &str) -> Page {
        let mut out = String::with_capacity(32 * 1024);
        let t = escape(title);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"/><title>{t}</title><style>{STYLE}</style></head><body><h1>{t}</h1><p class=\"meta\">{}</p>",
            escape(meta)
        );
        Page { out }
    }

    /// Opens a section headed `title`.
    pub fn section(&mut self, title: &str) {
        let _ = write!(self.out, "<section><h2>{}</h2>", escape(title));
    }

    pub fn end_section(&mut self) {
        self.out.push_str("</section>");
    }

    /// A table of (label, value, figure key) rows: each value cell carries `data-figure` with
    /// its key, so a reader (or a test) finds a figure on the page by name.
    pub fn figures(&mut self, rows: &[(String, Option<f64>, String)]) {
        self.out.push_str("<table><tbody>");
        for (label, value, key) in rows {
            let raw = value.map_or(String::new(), |v| v.to_string());
            let _ = write!(
                self.out,
                "<tr><th scope=\"row\">{}</th><td class=\"n\" data-figure=\"{}\" data-value=\"{}\">{}</td></tr>",
                escape(label),
                escape(key),
                escape(&raw),
                number(*value)
            );
        }
        self.out.push_str("</tbody></table>");
    }

    /// A table with a header row and text cells; numeric cells are right-aligned.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<(String, bool)>]) {
        self.out.push_str("<table><thead><tr>");
        for h in header {
            let _ = write!(self.out, "<th scope=\"col\">{}</th>", escape(h));
        }
        self.out.push_str("</tr></thead><tbody>");
        for row in rows {
            self.out.push_str("<tr>");
            for (cell, numeric) in row {
                let class = if *numeric { " class=\"n\"" } else { "" };
                let _ = write!(self.out, "<td{class}>{}</td>", escape(cell));
            }
            self.out.push_str("</tr>");
        }
        self.out.push_str("</tbody></table>");
    }

    /// A paragraph of text.
    pub fn note(&mut self, text: &str) {
        let _ = write!(self.out, "<p>{}</p>", escape(text));
    }

    /// A bar chart of `values` over `labels` (e.g. twelve months), captioned `caption`, each bar
    /// labelled with its value.
    pub fn bar_chart(&mut self, caption: &str, key: &str, labels: &[String], values: &[f64]) {
        let (w, h, left, bottom, top) = (640.0_f64, 180.0_f64, 36.0_f64, 22.0_f64, 14.0_f64);
        let max = values.iter().copied().fold(0.0_f64, f64::max);
        let scale = if max > 0.0 { (h - bottom - top) / max } else { 0.0 };
        let n = labels.len().max(1) as f64;
        let slot = (w - left) / n;
        let _ = write!(
            self.out,
            "<figure data-chart=\"{}\"><svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
            escape(key),
            escape(caption)
        );
        let _ = write!(
            self.out,
            "<line x1=\"{left}\" y1=\"{}\" x2=\"{w}\" y2=\"{}\" stroke=\"#8a91a0\" stroke-width=\"1\"/>",
            h - bottom,
            h - bottom
        );
        for (i, (label, v)) in labels.iter().zip(values).enumerate() {
            let x = left + slot * i as f64 + slot * 0.15;
            let bh = (v * scale).max(0.0);
            let y = h - bottom - bh;
            let _ = write!(
                self.out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#b3261e\"><title>{}: {}</title></rect>",
                slot * 0.7,
                escape(label),
                number(Some(*v))
            );
            let cx = x + slot * 0.35;
            let _ = write!(
                self.out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#1d2433\">{}</text>",
                (y - 3.0).max(9.0),
                number(Some(*v))
            );
            let _ = write!(
                self.out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#5b6475\">{}</text>",
                h - 7.0,
                escape(label.get(2..).unwrap_or(label))
            );
        }
        let _ = write!(self.out, "</svg><figcaption>{}</figcaption></figure>", escape(caption));
    }

    /// The finished page.
    pub fn finish(mut self) -> String {
        self.out.push_str("</body></html>\n");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_numbers_are_plain() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(number(Some(3.0)), "3");
        assert_eq!(number(Some(2.25)), "2.2");
        assert_eq!(number(None), "–");
        let mut p = Page::new("<月报>", "2026-11");
        p.section("任务");
        p.figures(&[("开启".into(), Some(4.0), "tasks.opened".into())]);
        p.bar_chart("趋势", "tasks.opened", &["2026-10".into(), "2026-11".into()], &[1.0, 0.0]);
        p.end_section();
        let html = p.finish();
        assert!(html.contains("<title>&lt;月报&gt;</title>"));
        assert!(html.contains("data-figure=\"tasks.opened\" data-value=\"4\">4<"));
        assert!(!html.contains("<script"));
    }
}
