//! Webhooks: when processing ends, the document's JSON is POSTed to its `callback_url`; failures are
//! retried with backoff by the job queue. Loopback, private and link-local targets are refused unless
//! their address is allowed by `LECTERN_WEBHOOK_ALLOW`, so a callback URL cannot reach internal services.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::domain::documents::{self, processing, review};
use crate::state::AppState;
use anyhow::{bail, Context};

fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64 // shared 100.64/10
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments()[0];
            v6.is_loopback() || v6.is_unspecified() || v6.is_multicast()
                || (seg & 0xfe00) == 0xfc00 // unique local
                || (seg & 0xffc0) == 0xfe80 // link local
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

/// The address to deliver to, after checking every address the host resolves to.
pub async fn target(url: &url::Url, allow: &[IpAddr]) -> anyhow::Result<SocketAddr> {
    let host = url.host_str().context("the callback URL has no host")?;
    let port = url.port_or_known_default().context("the callback URL has no port")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> =
        tokio::net::lookup_host((host, port)).await.with_context(|| format!("cannot resolve {host}"))?.collect();
    if addrs.is_empty() {
        bail!("{host} has no address");
    }
    if let Some(bad) = addrs.iter().find(|a| is_internal(a.ip()) && !allow.contains(&a.ip())) {
        bail!("callbacks to internal addresses are not allowed ({host} is {})", bad.ip());
    }
    Ok(addrs[0])
}

/// Posts the document to its callback URL and records the status code the receiver answered.
pub async fn deliver(state: &AppState, document: i64) -> anyhow::Result<()> {
    let Some(doc) = documents::load_one(&state.db, document).await? else {
        return Ok(()); // deleted meanwhile
    };
    let Some(callback) = doc.callback_url.clone() else { return Ok(()) };
    let url = url::Url::parse(&callback)?;
    let addr = target(&url, &state.config.webhook_allow).await?;
    let body = review::detail(&state.db, doc).await?;
    // The resolved address is pinned so the name cannot resolve elsewhere between the check and the request.
    let client = reqwest::Client::builder()
        .resolve(url.host_str().unwrap_or_default(), addr)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()?;
    let status =
        client.post(url).json(&body).send().await.context("the callback receiver could not be reached")?.status();
    processing::set_callback_status(&state.db, document, status.as_u16()).await?;
    if !status.is_success() {
        bail!("the callback receiver answered {status}");
    }
    tracing::info!(document, %status, "callback delivered");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.9",
            "172.20.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "100.64.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn loopback_targets_need_an_allowance() {
        let url = url::Url::parse("http://127.0.0.1:9/hook").unwrap();
        assert!(target(&url, &[]).await.unwrap_err().to_string().contains("internal"));
        assert_eq!(target(&url, &["127.0.0.1".parse().unwrap()]).await.unwrap().port(), 9);
    }
}
