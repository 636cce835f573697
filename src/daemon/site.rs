//! The built output, held in memory and ready to serve: every file with its
//! content type, validators and precompressed bodies.
//!
//! Requests never touch the file system: a path is looked up among the files
//! of the last good build, so path traversal has nothing to reach and a
//! build in progress is never half-served.
//!
//! A rebuild loads the site again; the compressed bodies of files whose
//! bytes did not change are taken from the site served until then, so that
//! a rebuild compresses only what it changed.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderValue;
use bytes::Bytes;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("{}: cannot read the built output: {source}", path.display())]
pub struct SiteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// One file of the site, with everything a response needs computed once
/// at load, so that serving it allocates and copies nothing.
#[derive(Debug)]
pub struct Asset {
    pub content_type: &'static str,
    pub identity: Representation,
    /// Only kept when smaller than the identity body.
    pub gzip: Option<Representation>,
    pub brotli: Option<Representation>,
    /// Quoted strong validator derived from the content, stable across
    /// restarts so that caches keep working after a deploy.
    pub etag: String,
    /// The file's mtime at whole seconds, as HTTP dates have it.
    pub last_modified: SystemTime,
    pub last_modified_header: HeaderValue,
}

/// One encoding of an asset's body; a clone shares the body.
#[derive(Debug, Clone)]
pub struct Representation {
    pub body: Bytes,
    /// Each representation has its own validator (as nginx and Apache do):
    /// the asset's with `-gzip` or `-br` appended.
    pub etag: HeaderValue,
}

impl Representation {
    fn new(body: Vec<u8>, etag: &str, suffix: &str) -> Representation {
        let etag = format!("{}{suffix}\"", etag.trim_end_matches('"'));
        Representation {
            body: Bytes::from(body),
            etag: HeaderValue::from_str(&etag).expect("hex digits are a valid header value"),
        }
    }
}

/// What a request path resolves to.
pub enum Lookup {
    Found(Arc<Asset>),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    Missing,
}

#[derive(Debug, Default)]
pub struct Site {
    /// Keyed by URL path without the leading slash (`feed.xml`,
    /// `issues/344/index.html`).
    files: HashMap<String, Arc<Asset>>,
}

impl Site {
    /// Reads every file under `dir` (a missing folder is an empty site:
    /// nothing has been built yet).
    pub fn load(dir: &Path) -> Result<Site, SiteError> {
        Site::reload(dir, &Site::default())
    }

    /// [`Site::load`], compressing only the files whose bytes `previous`
    /// did not serve: the others keep its compressed bodies.
    pub fn reload(dir: &Path, previous: &Site) -> Result<Site, SiteError> {
        let compressed: Compressed = previous
            .files
            .values()
            .filter(|asset| compressible(asset.content_type))
            .map(|asset| (asset.etag.as_str(), asset.as_ref()))
            .collect();
        let mut site = Site::default();
        if dir.is_dir() {
            site.load_dir(dir, "", &compressed)?;
        }
        Ok(site)
    }

    fn load_dir(
        &mut self,
        dir: &Path,
        prefix: &str,
        compressed: &Compressed,
    ) -> Result<(), SiteError> {
        let error = |source| SiteError {
            path: dir.to_path_buf(),
            source,
        };
        for entry in std::fs::read_dir(dir).map_err(error)? {
            let entry = entry.map_err(error)?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            // Dot files are the builder's temporary and lock files.
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let key = format!("{prefix}{name}");
            if path.is_dir() {
                self.load_dir(&path, &format!("{key}/"), compressed)?;
            } else {
                let asset =
                    Asset::read(&path, compressed).map_err(|source| SiteError { path, source })?;
                self.files.insert(key, Arc::new(asset));
            }
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Resolves a URL path (`/`, `/feed.xml`, `/issues/344/`).
    pub fn lookup(&self, path: &str) -> Lookup {
        let key = path.trim_start_matches('/');
        if key
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
        {
            return Lookup::Missing;
        }
        if key.is_empty() || key.ends_with('/') {
            return match self.files.get(&format!("{key}index.html")) {
                Some(asset) => Lookup::Found(asset.clone()),
                None => Lookup::Missing,
            };
        }
        if let Some(asset) = self.files.get(key) {
            return Lookup::Found(asset.clone());
        }
        if self.files.contains_key(&format!("{key}/index.html")) {
            return Lookup::Redirect(format!("/{key}/"));
        }
        Lookup::Missing
    }
}

/// The compressible assets of a site by their etag, which names their
/// bytes: those a reload finds again need not be compressed again.
type Compressed<'a> = HashMap<&'a str, &'a Asset>;

impl Asset {
    fn read(path: &Path, compressed: &Compressed) -> std::io::Result<Asset> {
        let body = std::fs::read(path)?;
        let last_modified = truncate_to_seconds(std::fs::metadata(path)?.modified()?);
        let content_type = content_type(path);
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", hex(&digest[..12]));
        let (gzip, brotli) = match compressed.get(etag.as_str()) {
            _ if !compressible(content_type) => (None, None),
            Some(same) => (same.gzip.clone(), same.brotli.clone()),
            None => (
                smaller(&body, gzip(&body)?).map(|body| Representation::new(body, &etag, "-gzip")),
                smaller(&body, brotli(&body)?).map(|body| Representation::new(body, &etag, "-br")),
            ),
        };
        Ok(Asset {
            content_type,
            gzip,
            brotli,
            identity: Representation::new(body, &etag, ""),
            etag,
            last_modified,
            last_modified_header: HeaderValue::from_str(&httpdate::fmt_http_date(last_modified))
                .expect("an HTTP date is a valid header value"),
        })
    }
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.contains("xml")
        || content_type.contains("json")
}

/// HTTP dates have whole seconds; compare at that precision.
fn truncate_to_seconds(time: SystemTime) -> SystemTime {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn smaller(original: &[u8], compressed: Vec<u8>) -> Option<Vec<u8>> {
    (compressed.len() < original.len()).then_some(compressed)
}

fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(body)?;
    encoder.finish()
}

fn brotli(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    // Quality 9 compresses nearly as well as 11 at a fraction of the time,
    // which matters when a rebuild recompresses a large archive.
    let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 9, 22);
    writer.write_all(body)?;
    drop(writer);
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Feed readers pick the parser by content type, so each feed gets its own.
fn content_type(path: &Path) -> &'static str {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    match name {
        "atom.xml" => return "application/atom+xml; charset=utf-8",
        "feed.json" => return "application/feed+json; charset=utf-8",
        _ => {}
    }
    let in_folder = |folder: &str| {
        path.parent()
            .is_some_and(|parent| parent.ends_with(folder.trim_end_matches('/')))
    };
    if name.ends_with(".xml") {
        // Atom's archive pages before RSS's: theirs is inside RSS's folder.
        if in_folder(crate::generator::archive::ATOM_FOLDER) {
            return "application/atom+xml; charset=utf-8";
        }
        if in_folder(crate::generator::archive::RSS_FOLDER) {
            return "application/rss+xml; charset=utf-8";
        }
    }
    match path
        .extension()
        .and_then(|ext| ext.to_str())
        .unwrap_or_default()
    {
        "xml" => "application/rss+xml; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "json" => "application/json",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("issues/344")).unwrap();
        std::fs::write(root.join("index.html"), "<html>home</html>".repeat(20)).unwrap();
        std::fs::write(root.join("issues/344/index.html"), "<html>344</html>").unwrap();
        std::fs::write(root.join("feed.xml"), "<rss/>").unwrap();
        std::fs::write(root.join("atom.xml"), "<feed/>").unwrap();
        std::fs::create_dir_all(root.join("archive/atom")).unwrap();
        std::fs::write(root.join("archive/1.xml"), "<rss/>").unwrap();
        std::fs::write(root.join("archive/atom/1.xml"), "<feed/>").unwrap();
        std::fs::write(root.join(".build-lock"), "").unwrap();
        let site = Site::load(root).unwrap();
        (dir, site)
    }

    fn found(site: &Site, path: &str) -> Arc<Asset> {
        match site.lookup(path) {
            Lookup::Found(asset) => asset,
            _ => panic!("{path} should be found"),
        }
    }

    #[test]
    fn resolves_folders_to_their_index() {
        let (_dir, site) = site();
        assert_eq!(site.len(), 6, "dot files are not served");
        assert!(found(&site, "/").identity.body.starts_with(b"<html>home"));
        assert_eq!(
            found(&site, "/issues/344/").identity.body,
            &b"<html>344</html>"[..]
        );
        assert!(matches!(site.lookup("/issues/344"), Lookup::Redirect(to) if to == "/issues/344/"));
        assert!(
            matches!(site.lookup("/issues/"), Lookup::Missing),
            "no folder listing"
        );
    }

    #[test]
    fn never_leaves_the_site() {
        let (_dir, site) = site();
        for path in [
            "/../etc/passwd",
            "/issues/../feed.xml",
            "/./feed.xml",
            "/.build-lock",
            "/nope",
        ] {
            assert!(matches!(site.lookup(path), Lookup::Missing), "{path}");
        }
    }

    #[test]
    fn types_validators_and_compression() {
        let (_dir, site) = site();
        assert_eq!(
            found(&site, "/atom.xml").content_type,
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(
            found(&site, "/feed.xml").content_type,
            "application/rss+xml; charset=utf-8"
        );
        assert_eq!(
            found(&site, "/archive/1.xml").content_type,
            "application/rss+xml; charset=utf-8"
        );
        assert_eq!(
            found(&site, "/archive/atom/1.xml").content_type,
            "application/atom+xml; charset=utf-8"
        );
        let home = found(&site, "/");
        assert!(
            home.gzip
                .as_ref()
                .is_some_and(|gz| gz.body.len() < home.identity.body.len())
        );
        assert!(home.brotli.is_some());
        assert!(
            found(&site, "/feed.xml").gzip.is_none(),
            "not kept when it does not help"
        );
        assert_eq!(home.etag.len(), 26);
        let brotli = home.brotli.as_ref().unwrap();
        assert_eq!(brotli.etag, format!("{}-br\"", &home.etag[..25]));
        let again = Site::load(_dir.path()).unwrap();
        assert_eq!(found(&again, "/").etag, home.etag, "stable across loads");
    }

    #[test]
    fn a_reload_compresses_only_what_changed() {
        let (dir, _) = site();
        let root = dir.path();
        std::fs::write(root.join("about.html"), "<p>about</p>".repeat(20)).unwrap();
        let site = Site::load(root).unwrap();
        std::fs::write(root.join("index.html"), "<html>new</html>".repeat(20)).unwrap();
        std::fs::copy(root.join("about.html"), root.join("issues/344/about.html")).unwrap();
        let reloaded = Site::reload(root, &site).unwrap();
        let brotli = |site: &Site, path: &str| {
            let asset = found(site, path);
            let body = asset.brotli.as_ref().unwrap().body.clone();
            (body.as_ptr(), body)
        };
        assert_eq!(
            brotli(&site, "/about.html").0,
            brotli(&reloaded, "/about.html").0,
            "unchanged: the same body"
        );
        assert_eq!(
            brotli(&site, "/about.html").0,
            brotli(&reloaded, "/issues/344/about.html").0,
            "the same bytes elsewhere"
        );
        let (home, compressed) = brotli(&reloaded, "/");
        assert_ne!(brotli(&site, "/").0, home, "changed: compressed again");
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &compressed[..], &mut decoded).unwrap();
        assert_eq!(decoded, found(&reloaded, "/").identity.body);
    }
}
