"""The site index on DynamoDB: the `SiteSlices` questions answered from items kept beside
the articles, in the same table (see `frontline.site.slices` for what each answer means).

POST#<posting key> / <listing token>  one posting per (key, public article), newest last in
                   sort order, so "the newest N under a key" is one Query with a Limit. It
                   carries the article (`doc`, zlib-compressed: a list page reads N items, not
                   N + N, and a transaction of thirty postings stays far below 4 MB), except
                   under `entity:` keys (only ranked for related articles): id, importance and
                   publication time.
INDEXED#<id> / INDEXED    what is indexed for the article now (`entries`, JSON; absent when
                   nothing is) and `rev`, bumped by every change: the optimistic lock of
                   `reconcile`. It is never deleted, so a revision never repeats.
PATH#<path> / PATH        the id of the public article whose page is at that path (a path
                   holds only the first 8 characters of the id, so it cannot be derived).
GROUPS#<kind> / 00..15    per tag, company or source (spread over 16 shards by a stable hash of
                   the key): `c#<key>` its article count, `n#<key>#<spelling>` how often each
                   spelling is used (the display name). One Query per kind reads them all.
DAYS / <YYYY-MM-DD>       per JST day of publication: `total` and `c#<day key>`.
SITE#STATS / STATS        `public` (the number of public articles), `m#<YYYY-MM>` per month,
                   `s#<YYYY-MM-DD>` per JST day of first sight, and `r#<YYYY-MM-DD>`: the
                   revision of that DAYS item, grown by every change to it.
DAYS#SNAPSHOT / SNAPSHOT  the day counts of the last 90 days as a reader last saw them, each
                   with its revision: a window of days is read in three items (`day_counts`).
SMAP#<YYYY-MM> / <DD>     the sitemap rows of one JST day: one attribute per article path, its
                   value the article's `updated_at`.

Counters are top-level numbers changed with ADD, so nothing has to exist first; a count that
falls to zero is removed afterwards (conditionally on still being zero) and ignored by every
reader until then. `reconcile` reads an article and its INDEXED record (strongly consistent),
computes the difference between what is indexed and what should be, and applies it in one
TransactWriteItems conditional on both the INDEXED revision and the article's stored `doc`
being the ones read: a concurrent reconcile of the same article, or a newer version of it
written meanwhile, cancels the transaction, and the reconcile reads again and retries.
Replaying is a no-op (the difference is empty), so nothing is counted twice. A difference of
more than 100 actions (a published time that moved and every tag and entity changed at once)
is applied in two steps: the article leaves the index, then enters it again.

The render_site stream filter admits only ARTICLE# and DIGEST# keys: none of these items
triggers a publish.

Choices beyond the plain design, and why:
- the posting's doc is compressed (binary): about a quarter of the JSON, so a list page's
  read units and a thirty-posting transaction stay small;
- `newest(N)` is the ByListing index (already sparse, in listing order) rather than one more
  posting of every article;
- the transaction also checks the article's `doc` (ConditionCheck): with the revision alone,
  a reconcile holding an older read could still write after a newer one that found nothing
  to change (the article edited back), leaving the index on the older version;
- INDEXED records stay when empty, so a revision read once can never come back (ABA).

Limits: a GROUPS shard is one item (400 KB): at about 100 bytes per group and spelling, some
60,000 groups of a kind fit in 16 shards. A DAYS item holds one day's keys and a SMAP item
one day's paths: a few hundred articles a day use a few tens of KB. `days_before` and
`days_after` read days a page at a time until `limit` days have the key: a rare key's
search reads back through the days without it.

`reconcile_month('2026-11')` reconciles the articles published in a JST month (ByPublished)
and those indexed under it (its sitemap rows, through their path pointers): every article
that is public or indexed is found in some month, so `reconcile_all` is every month in turn,
and a month is a partition of the full rebuild (no Scan of the table).

Modules: `items` (what an article contributes and the item shapes: pure), `reconcile`
(bringing one article's entries up to date), `store` (the reads), `day_counts` (the day
counts through their snapshot).
"""

from frontline.adapters.site_index.reconcile import MAX_ACTIONS, IndexNotReconciled
from frontline.adapters.site_index.store import DynamoSiteIndex

__all__ = ["MAX_ACTIONS", "DynamoSiteIndex", "IndexNotReconciled"]
