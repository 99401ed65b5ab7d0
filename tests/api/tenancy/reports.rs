//! `/reports/monthly` under every principal: each sees the figures of its own scope only.

use super::*;
use crate::fixtures::Fixture;
use crate::reporting::get;

/// The number shown for `figure` on the page `got`.
fn figure(got: &crate::reporting::Got, figure: &str) -> Option<f64> {
    let text = got.text();
    let key = format!("data-figure=\"{figure}\" data-value=\"");
    let at = text.find(&key).map(|i| i + key.len())?;
    text[at..].split('"').next().and_then(|v| v.parse().ok())
}

both_backends! {
    async fn every_principal_reads_the_monthly_report_of_its_own_scope_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi_street = Fixture::street(&app, "松江街道").await;
        let zhuxi = zhuxi_street.community(&app, "竹溪").await;
        for title in ["井盖松动", "占道经营", "垃圾满溢"] {
            Fixture::task(&app, &songyuan, title).await;
        }
        Fixture::task(&app, &zhuxi, "路灯不亮").await;
        let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        let path = format!("/reports/monthly?month={}", now.format("%Y-%m"));
        let bearer = |t: String| format!("Bearer {t}");
        let cases = [
            ("the street's admin", bearer(app.street_admin()), Some(3.0)),
            ("the street's reporter", bearer(app.token(Role::Reporter, "meiling-street")), Some(3.0)),
            ("songyuan's staff", bearer(songyuan.staff(&app)), Some(3.0)),
            ("songyuan's admin", bearer(songyuan.admin(&app)), Some(3.0)),
            ("the other street's admin", bearer(zhuxi_street.admin(&app)), Some(1.0)),
            ("zhuxi's staff", bearer(zhuxi.staff(&app)), Some(1.0)),
        ];
        for (who, credential, opened) in cases {
            let got = get(&app, Some(&credential), &path).await;
            assert_eq!(got.status, 200, "{who}: {}", got.text());
            assert_eq!(figure(&got, "task-figures.opened"), opened, "{who}");
            assert!(!got.text().contains("路灯不亮") && !got.text().contains("井盖松动"), "{who}: the page shows figures, not tasks");
        }
        // Another street's community is not found, whoever asks from this street.
        let foreign = get(&app, Some(&bearer(app.street_admin())), &format!("{path}&community={}", zhuxi.id)).await;
        assert_eq!((foreign.status, foreign.code().as_str()), (404, "NOT_FOUND"));
        let unit = Fixture::unit(&app, "松园派出所").await.seated_in(&app, &songyuan).await;
        let refused = get(&app, Some(&bearer(unit.token(&app))), &path).await;
        assert_eq!(refused.status, 403, "a unit reads its own work, not the street's report: {}", refused.text());
    }
}
