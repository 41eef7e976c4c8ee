// Directory-index rewrite (CloudFront Functions, cloudfront-js-2.0, viewer request).
// The site is plain objects in S3, so a "directory" URL must name its index object:
//   /news/ -> /news/index.html
//   /news  -> /news/index.html   (no dot in the last segment: a page, not a file)
//   /style.abc123.css, /feed.xml -> unchanged
// The URI stays percent-encoded (/tags/%E8%92%B8%E7%95%99/); S3 decodes it to the key.
// template.yaml inlines this file verbatim (IndexRewriteFunction); a test keeps them equal.
function handler(event) {
  const request = event.request;
  const uri = request.uri;
  if (uri.charAt(uri.length - 1) === '/') {
    request.uri = uri + 'index.html';
  } else if (uri.slice(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = uri + '/index.html';
  }
  return request;
}
