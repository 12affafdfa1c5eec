//! The request guard: every request must name an allowed host, and a request that writes
//! must come from the server's own page.
//!
//! - `Host` (or the request's authority) must be one of the [`AllowedHosts`]; other names
//!   answer `421 Misdirected Request`, so a page that rebinds its own name to this machine
//!   reads nothing.
//! - A request that is not `GET`, `HEAD` or `OPTIONS` must be same-origin: `Origin`, when
//!   present, must be `http://` followed by the request's `Host`, and `Sec-Fetch-Site`, when
//!   present, must be `same-origin`; else `403 Forbidden`. Its `Content-Type` must be exactly
//!   `application/json` (parameters such as `; charset=utf-8` allowed); else
//!   `415 Unsupported Media Type`. A plain form from another site can send neither.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AllowedHosts;

/// An answer in FastAPI's error shape.
fn refuse(status: StatusCode, detail: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "detail": detail }).to_string(),
    )
        .into_response()
}

/// The host the request names: its authority (HTTP/2, absolute URIs), else `Host`.
fn request_host(request: &Request) -> Option<&str> {
    if let Some(authority) = request.uri().authority() {
        return Some(authority.as_str());
    }
    request
        .headers()
        .get(header::HOST)
        .map(|value| value.to_str().unwrap_or("\u{fffd}"))
}

/// Whether `Content-Type` is `application/json`, with parameters or not.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            let essence = value.split(';').next().unwrap_or_default().trim();
            essence.eq_ignore_ascii_case("application/json")
        })
}

/// Why a write is refused, if it is.
fn cross_site(headers: &HeaderMap, host: Option<&str>) -> Option<&'static str> {
    if let Some(site) = headers.get("sec-fetch-site")
        && site.as_bytes() != b"same-origin"
    {
        return Some("writes are only accepted from this server's own page (Sec-Fetch-Site)");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let same = host.is_some_and(|host| {
            origin
                .to_str()
                .ok()
                .and_then(|origin| origin.strip_prefix("http://"))
                .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
        });
        if !same {
            return Some("writes are only accepted from this server's own page (Origin)");
        }
    }
    None
}

/// The middleware: checks the host of every request and the origin of every write.
pub(super) async fn guard(
    State(hosts): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request_host(&request);
    if let Some(host) = host
        && !hosts.allows(host)
    {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only the host names it was told (localhost by default); \
             start it with `--allow-host NAME` to answer another",
        );
    }
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if writes {
        if let Some(why) = cross_site(request.headers(), host) {
            return refuse(StatusCode::FORBIDDEN, why);
        }
        if !is_json(request.headers()) {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the request with `content-type: application/json`",
            );
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_json_type_is_json() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            is_json(&headers)
        };
        for good in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
        ] {
            assert!(with(good), "{good}");
        }
        for bad in [
            "application/jsonx",
            "application/json-seq",
            "text/plain",
            "application/x-www-form-urlencoded",
            "",
        ] {
            assert!(!with(bad), "{bad}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }
}
