"""Privacy: erasure that stays erased, retention, and the keyed hashes both rest on.

Why a package of its own: erasure touches every part that stores something about a person (both
databases, staged crawl files, the dashboard's inbox, written reports), and the rule "who is
forgotten" must be applied in one place by every path into the store. The parts:

* `keys`: the per-installation key (`<data-dir>/secret.key`) and the keyed hashes (HMAC-SHA256) of
  source + author: suppression records and retention pseudonyms, never a plain name.
* `suppression`: the suppression records and the filter every ingest applies.
* `erasure`: `rykte forget`: rows, files, reports, and the bytes of the live store.
* `scrub`: rewriting files under the data dir without a person's lines.
* `retention`: old mentions lose their authors' names (and optionally their text).
* `files`: private permissions for the data dir (0700 directories, 0600 files).

How it works for the people concerned is described in `docs/privacy.md`.
"""
