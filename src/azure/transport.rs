//! The wire under every ARM call: one request out, one bounded answer back.
//!
//! Owns what every management request shares: the bearer token, retries of what is safe to
//! repeat, the same-origin rule for credentials and redirects, caps on every body read, and
//! pagination that cannot loop.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::{ARM_SCOPE, TokenCache};
use super::error::{AzureError, Result};
use super::model::ArmList;
use super::retry::{RetryPolicy, parse_retry_after};
use super::throttle_gate::ThrottleGate;

/// Most bytes of a management answer held in memory. ARM pages are a few hundred KiB at most;
/// anything near this is a broken or hostile server, not a workspace.
pub const MAX_MANAGEMENT_BODY: usize = 32 << 20;
/// Most bytes kept of an error answer: enough for any ARM error envelope; past it only an
/// excerpt matters, so the rest is not read.
const MAX_ERROR_BODY: usize = 64 << 10;
/// Most pages of one list. ARM pages hold 100 or more items, so this is tens of thousands of
/// resources; past it the server is looping with fresh links.
pub const MAX_PAGES: usize = 200;

/// A buffered HTTP answer with a success status.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
    pub url: String,
}

impl RawResponse {
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| AzureError::Decode {
            url: self.url.clone(),
            reason: e.to_string(),
        })
    }

    /// `None` for an empty body (204, or a 200 without content).
    pub(crate) fn json_opt(&self) -> Result<Option<Value>> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            self.json().map(Some)
        }
    }
}

/// The HTTP client, the ARM origin and the ARM token: everything a management request needs.
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Url,
    api_version: String,
    tokens: TokenCache,
    retry: RetryPolicy,
    /// Holds every request after a 429 until the service's `Retry-After` has passed.
    gate: ThrottleGate,
}

impl Transport {
    pub(crate) fn new(
        base: Url,
        api_version: String,
        tokens: TokenCache,
        retry: RetryPolicy,
        request_timeout: Duration,
        extra_root_certificate: Option<&[u8]>,
    ) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .timeout(request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("aml-rollout/", env!("CARGO_PKG_VERSION")))
            .redirect(same_origin_redirects());
        // A local emulator's own CA (PEM), trusted beside the system's roots.
        if let Some(pem) = extra_root_certificate {
            let certificate = reqwest::Certificate::from_pem(pem)
                .map_err(|e| AzureError::InvalidInput(format!("CA certificate: {e}")))?;
            builder = builder.tls_certs_merge([certificate]);
        }
        let http = builder
            .build()
            .map_err(|e| AzureError::InvalidInput(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            base,
            api_version,
            tokens,
            retry,
            gate: ThrottleGate::new(),
        })
    }

    /// When requests may go again after a 429: each new pause, as the instant it ends.
    pub(crate) fn throttling(&self) -> tokio::sync::watch::Receiver<Option<std::time::Instant>> {
        self.gate.subscribe()
    }

    /// The ARM token every request sends, from the same cache (a sign-in through `az` runs
    /// once, however many requests and readers there are).
    pub(crate) async fn bearer(&self) -> Result<String> {
        self.tokens.bearer().await
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    pub(crate) fn api_version(&self) -> &str {
        &self.api_version
    }

    /// `base/segments…?api-version=…`. Segments are percent-encoded by the URL library, but `.`
    /// and `..` would still be resolved away: callers validate names first.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| AzureError::InvalidInput(format!("{} cannot be a base URL", self.base)))?
            .pop_if_empty()
            .extend(segments);
        url.query_pairs_mut()
            .append_pair("api-version", &self.api_version);
        Ok(url)
    }

    /// The bearer token goes only to the ARM host we were configured with: a `nextLink` or an
    /// operation URL pointing elsewhere is refused rather than handed our credentials.
    fn check_same_origin(&self, url: &Url) -> Result<()> {
        if url.origin() == self.base.origin() {
            Ok(())
        } else {
            Err(AzureError::CrossOrigin {
                url: redact_query(url),
                arm: self.base.origin().ascii_serialization(),
            })
        }
    }

    /// Sends one ARM request with the management body cap.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<RawResponse> {
        self.send_capped(method, url, body, MAX_MANAGEMENT_BODY)
            .await
    }

    /// Sends one ARM request, retrying what is safe to retry, and turns error statuses into
    /// [`AzureError`]. A 401 invalidates the cached token and is tried once more. A success body
    /// over `cap` bytes is an error, read no further than the cap.
    pub(crate) async fn send_capped(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        cap: usize,
    ) -> Result<RawResponse> {
        self.check_same_origin(&url)?;
        let shown_url = redact_query(&url);
        let max_retries = if safe_to_repeat(&method, &url) {
            self.retry.max_retries
        } else {
            0
        };
        let mut retries = 0u32;
        let mut reauthenticated = false;
        loop {
            self.gate.wait().await;
            let token = self.tokens.bearer().await?;
            let authorization = bearer_header(&token).ok_or_else(|| {
                AzureError::Auth(
                    "the sign-in token contains characters an HTTP header cannot carry".to_string(),
                )
            })?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(reqwest::header::AUTHORIZATION, authorization)
                .header("x-ms-client-request-id", new_request_id());
            if let Some(body) = body {
                request = request.json(body);
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let limit = if status.is_success() {
                        cap
                    } else {
                        MAX_ERROR_BODY
                    };
                    read_capped(response, limit)
                        .await
                        .map(|(body, complete)| (status, headers, body, complete))
                }
                Err(e) => Err(e),
            };
            let (status, headers, body, complete) = match outcome {
                Ok(parts) => parts,
                Err(e) => {
                    if retries < max_retries {
                        let delay = self.retry.delay_for(retries, None);
                        tracing::debug!(url = %shown_url, error = %e, ?delay, "transport error, retrying");
                        retries += 1;
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(AzureError::Transport {
                        url: shown_url,
                        reason: describe_transport_error(&e),
                        sent: request_may_have_left(&e),
                    });
                }
            };
            if status.is_success() {
                if !complete {
                    return Err(AzureError::BodyTooLarge {
                        url: shown_url,
                        limit: cap,
                    });
                }
                return Ok(RawResponse {
                    status,
                    headers,
                    body,
                    url: shown_url,
                });
            }
            if status.is_redirection() {
                // Same-origin redirects were followed by the client; this one points elsewhere.
                return Err(AzureError::RedirectRefused {
                    url: shown_url,
                    status,
                    target: redirect_target(&url, &headers),
                });
            }
            if status == StatusCode::UNAUTHORIZED && !reauthenticated {
                reauthenticated = true;
                self.tokens.invalidate().await;
                continue;
            }
            let retry_after = parse_retry_after(&headers);
            let delay = self.retry.delay_for(retries, retry_after);
            if status == StatusCode::TOO_MANY_REQUESTS {
                // The retry below (and every other request) waits at least the full
                // `Retry-After`, even when the policy's own delay is shorter.
                self.gate.throttled(retry_after.unwrap_or(delay));
            }
            if RetryPolicy::is_retryable_status(status) && retries < max_retries {
                tracing::debug!(url = %shown_url, %status, ?delay, "transient status, retrying");
                retries += 1;
                tokio::time::sleep(delay).await;
                continue;
            }
            let error = AzureError::from_response(status, &shown_url, &body);
            if status == StatusCode::TOO_MANY_REQUESTS {
                return Err(AzureError::Throttled {
                    retry_after,
                    source: Box::new(error),
                });
            }
            return Err(error);
        }
    }

    /// GET of a URL the service handed us (`nextLink`, an operation monitor).
    pub(crate) async fn get_absolute(&self, url: &str) -> Result<RawResponse> {
        let url = Url::parse(url).map_err(|e| AzureError::Decode {
            url: crate::logstream::sanitize_inline(url)
                .chars()
                .take(200)
                .collect(),
            reason: format!("the service sent an invalid URL: {e}"),
        })?;
        self.send(Method::GET, url, None).await
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(&self, segments: &[&str]) -> Result<T> {
        self.send(Method::GET, self.url(segments)?, None)
            .await?
            .json()
    }

    /// All pages of a list, following `nextLink`. Stops with an error on a link already
    /// followed, after [`MAX_PAGES`] pages, or once the pages together pass the body cap.
    pub(crate) async fn list_all<T: DeserializeOwned>(&self, segments: &[&str]) -> Result<Vec<T>> {
        let mut pages = self.pages(segments)?;
        let mut items = Vec::new();
        while let Some(mut page) = self.next_page(&mut pages).await? {
            items.append(&mut page);
        }
        Ok(items)
    }

    /// A list read page by page with [`Self::next_page`], so that a caller can work on one
    /// page while the next is on its way.
    pub(crate) fn pages(&self, segments: &[&str]) -> Result<Pages> {
        Ok(Pages {
            next: Some(self.url(segments)?),
            followed: HashSet::new(),
            read: 0,
            total_bytes: 0,
        })
    }

    /// The next page's items, or `None` after the last page.
    pub(crate) async fn next_page<T: DeserializeOwned>(
        &self,
        pages: &mut Pages,
    ) -> Result<Option<Vec<T>>> {
        let Some(url) = pages.next.take() else {
            return Ok(None);
        };
        let response = self.send(Method::GET, url, None).await?;
        pages.read += 1;
        pages.total_bytes += response.body.len();
        if pages.total_bytes > MAX_MANAGEMENT_BODY {
            return Err(AzureError::BodyTooLarge {
                url: response.url,
                limit: MAX_MANAGEMENT_BODY,
            });
        }
        let page: ArmList<T> = response.json()?;
        if let Some(next) = page.next_link.filter(|l| !l.is_empty()) {
            let shown = || {
                Url::parse(&next)
                    .map(|u| redact_query(&u))
                    .unwrap_or_else(|_| crate::logstream::sanitize_inline(&next))
            };
            if !pages.followed.insert(next.clone()) {
                return Err(AzureError::Pagination {
                    url: shown(),
                    reason: "the service sent a nextLink it had already sent".to_string(),
                });
            }
            if pages.read >= MAX_PAGES {
                return Err(AzureError::Pagination {
                    url: shown(),
                    reason: format!("the list goes on past {MAX_PAGES} pages"),
                });
            }
            let url = Url::parse(&next).map_err(|e| AzureError::Decode {
                url: crate::logstream::sanitize_inline(&next)
                    .chars()
                    .take(200)
                    .collect(),
                reason: format!("the service sent an invalid URL: {e}"),
            })?;
            pages.next = Some(url);
        }
        Ok(Some(page.value))
    }
}

/// Where a paged list is: the next page to read and the links already followed.
#[derive(Debug)]
pub(crate) struct Pages {
    next: Option<Url>,
    followed: HashSet<String>,
    read: usize,
    total_bytes: usize,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .field("api_version", &self.api_version)
            .finish_non_exhaustive()
    }
}

/// Redirects within the origin of the request are followed (at most a few); one to another
/// origin is not: its answer comes back as the 3xx it is, and the caller refuses it.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > 5 {
            attempt.error("too many redirects")
        } else if same_origin {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Where a refused redirect pointed: its origin only (a path or query may carry anything).
fn redirect_target(url: &Url, headers: &HeaderMap) -> String {
    headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|location| url.join(location).ok())
        .map(|target| target.origin().ascii_serialization())
        .unwrap_or_else(|| "an unreadable location".to_string())
}

/// `Bearer <token>` as a header value, or `None` when the token holds characters a header
/// cannot carry (controls, line breaks).
pub(crate) fn bearer_header(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Reads at most `cap` bytes of a body. `complete` is false when the body went on past the cap;
/// the rest is never read, so an endless body costs `cap` bytes and no more.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> std::result::Result<(bytes::Bytes, bool), reqwest::Error> {
    if response
        .content_length()
        .is_some_and(|length| length > cap as u64)
    {
        return Ok((bytes::Bytes::new(), false));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body.into(), false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body.into(), true))
}

/// The token scope of an ARM endpoint: `https://management.azure.com/.default` for the public
/// cloud, `<scheme>://<host>/.default` for a sovereign cloud's (e.g. management.chinacloudapi.cn).
pub(crate) fn arm_scope(base: &Url) -> String {
    match base.host_str() {
        Some(host)
            if !host.eq_ignore_ascii_case("management.azure.com") && base.scheme() == "https" =>
        {
            format!("https://{host}/.default")
        }
        _ => ARM_SCOPE.to_string(),
    }
}

/// Whether sending the same request twice is harmless: GET, PUT and DELETE are idempotent, and
/// so are the POSTs that only read (`listKeys`, `token`, `getLogs`). A PATCH or a
/// `regenerateKeys` is not repeated behind the caller's back: a lost answer does not mean the
/// service did nothing.
fn safe_to_repeat(method: &Method, url: &Url) -> bool {
    match *method {
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE => true,
        Method::POST => url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .is_some_and(|last| {
                ["listkeys", "token", "getlogs"].contains(&last.to_ascii_lowercase().as_str())
            }),
        _ => false,
    }
}

/// False only when the connection was never made, so the server cannot have seen the request.
pub(crate) fn request_may_have_left(e: &reqwest::Error) -> bool {
    !(e.is_connect() || e.is_builder())
}

fn new_request_id() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// URLs carry no secrets here, but query strings are noise in an error message.
pub(crate) fn redact_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    crate::logstream::sanitize_inline(shown.as_str())
}

pub(crate) fn describe_transport_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading the answer"
    } else if e.is_request() {
        "connection dropped before an answer arrived"
    } else {
        "request failed"
    };
    // The source chain says why (refused, reset, DNS); keep it on one line.
    let mut reason = what.to_string();
    let mut source = std::error::Error::source(e);
    if let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    if let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
    }
    crate::logstream::sanitize_inline(&reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sovereign_clouds_get_their_own_token_scope() {
        let scope = |u: &str| arm_scope(&Url::parse(u).unwrap());
        assert_eq!(
            scope("https://management.azure.com"),
            "https://management.azure.com/.default"
        );
        assert_eq!(
            scope("https://management.chinacloudapi.cn"),
            "https://management.chinacloudapi.cn/.default"
        );
        assert_eq!(
            scope("https://management.usgovcloudapi.net/"),
            "https://management.usgovcloudapi.net/.default"
        );
        // A local emulator takes its own static token; the scope does not matter there.
        assert_eq!(
            scope("http://127.0.0.1:8080"),
            "https://management.azure.com/.default"
        );
    }

    #[test]
    fn only_requests_safe_to_repeat_are_retried() {
        let url = |path: &str| {
            Url::parse(&format!("https://management.azure.com{path}?api-version=x")).unwrap()
        };
        let ep = "/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e";
        assert!(safe_to_repeat(&Method::GET, &url(ep)));
        assert!(safe_to_repeat(&Method::PUT, &url(ep)));
        assert!(safe_to_repeat(&Method::DELETE, &url(ep)));
        assert!(safe_to_repeat(
            &Method::POST,
            &url(&format!("{ep}/listKeys"))
        ));
        assert!(safe_to_repeat(&Method::POST, &url(&format!("{ep}/token"))));
        assert!(safe_to_repeat(
            &Method::POST,
            &url(&format!("{ep}/deployments/d/getLogs"))
        ));
        assert!(!safe_to_repeat(
            &Method::POST,
            &url(&format!("{ep}/regenerateKeys"))
        ));
        assert!(!safe_to_repeat(&Method::PATCH, &url(ep)));
    }

    #[test]
    fn a_token_with_control_characters_is_no_header() {
        assert!(bearer_header("abc.def-ghi").is_some());
        assert!(bearer_header("abc\r\nX-Evil: 1").is_none());
        assert!(bearer_header("abc\u{1b}]0;t\u{7}").is_none());
    }
}
