/* kb.c: the knowledge base: the team's folder of Markdown articles
 * (kept in git, named by knowledge_base.path) and desk's index of it.
 *
 * The folder is the truth and the index a copy: each time the console
 * or a command needs the articles, the folder is looked at (a stat per
 * file) and only new or changed files are read.  The index is derived
 * data, not a change anyone made, so a sync writes no audit event; an
 * article used in a reply is recorded with the reply (post.c). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "caps.h"
#include "core.h"
#include "markdown.h"
#include "nameset.h"
#include "priv.h"
#include "util.h"

/* Folders deeper than this under the knowledge base are not looked in. */
#define KB_MAX_DEPTH 8
/* More files than this is not a knowledge base but a mistake in path. */
#define KB_MAX_FILES 20000

struct kb_entry {
	char *rel;  /* inside the folder, "billing/refunds.md" */
	char *full; /* the folder's path, then rel */
	int64_t mtime_ns, size;
};

struct kb_entries {
	struct kb_entry *v;
	size_t n, cap;
};

static void entries_free(struct kb_entries *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].rel);
		free(l->v[i].full);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

static bool is_markdown(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".md") == 0;
}

static int scan_dir(const char *root, const char *rel, int depth, struct kb_entries *out,
		    struct derr *e)
{
	char *dir = rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *dp = opendir(dir);
	if (!dp) {
		int rc = derr_set(e, DESK_EIO, "%s: cannot read the knowledge base folder: %s", dir,
				  strerror(errno));
		free(dir);
		return rc;
	}
	int rc = DESK_OK;
	struct dirent *de;
	while (rc == DESK_OK && (de = readdir(dp)) != NULL) {
		/* hidden names: ".", "..", ".git", editors' ".x.md.swp" */
		if (de->d_name[0] == '.')
			continue;
		char *r = rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		char *full = xasprintf("%s/%s", root, r);
		struct stat sb;
		/* Links are not followed: the folder is the team's, and a
		 * link could make desk read any file the agent can. */
		if (lstat(full, &sb) != 0) {
			free(r);
			free(full);
			continue;
		}
		if (S_ISDIR(sb.st_mode) && depth < KB_MAX_DEPTH) {
			rc = scan_dir(root, r, depth + 1, out, e);
		} else if (S_ISREG(sb.st_mode) && is_markdown(de->d_name)) {
			if (out->n >= KB_MAX_FILES) {
				rc = derr_set(e, DESK_EINVAL,
					      "%s: more than %d articles: is knowledge_base.path the "
					      "articles' folder?",
					      root, KB_MAX_FILES);
			} else {
				xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
				out->v[out->n++] = (struct kb_entry){
					r, full,
					(int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec,
					(int64_t)sb.st_size};
				r = full = NULL;
			}
		}
		free(r);
		free(full);
	}
	closedir(dp);
	free(dir);
	return rc;
}

static int by_rel(const void *a, const void *b)
{
	return strcmp(((const struct kb_entry *)a)->rel, ((const struct kb_entry *)b)->rel);
}

/* Every article file under the folder, by name.  Looked at (and read,
 * priv_read_file) as the agent, never with desk's group: the articles
 * are text the agents may read anyway, and desk's folder is not one of
 * them. */
static int scan(const char *root, struct kb_entries *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	priv_lower();
	int rc = scan_dir(root, NULL, 0, out, e);
	priv_raise();
	if (rc)
		entries_free(out);
	else if (out->n)
		qsort(out->v, out->n, sizeof *out->v, by_rel);
	return rc;
}

/* The slug a file's name gives ("billing/refunds.md": "refunds"). */
static char *slug_of(const char *rel)
{
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	return xstrndup(base, strlen(base) - 3);
}

/* Reads and parses one file into a (file, slug and stat from en);
 * problems are "FILE:LINE:COL: what". */
static int read_article(const struct kb_entry *en, struct kb_article *a, struct derr *e)
{
	memset(a, 0, sizeof *a);
	char *slug = slug_of(en->rel);
	if (!label_is_valid(slug)) {
		int rc = derr_set(e, DESK_EINVAL,
				  "%s:1: the file's name makes the article's slug \"%s\"; a slug is "
				  LABEL_RULE,
				  en->full, slug);
		free(slug);
		return rc;
	}
	if (en->size > DESK_MAX_BODY) {
		free(slug);
		return derr_set(e, DESK_EINVAL, "%s:1: %lld bytes, more than an article may hold",
				en->full, (long long)en->size);
	}
	size_t len = 0;
	char *text = priv_read_file(en->full, &len);
	if (!text) {
		int rc = derr_set(e, DESK_EIO, "%s: cannot read: %s", en->full, strerror(errno));
		free(slug);
		return rc;
	}
	struct kb_doc doc;
	int rc = kb_parse(en->full, text, &doc, e);
	if (rc == DESK_OK) {
		gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, len);
		struct strbuf tags = {0};
		for (size_t i = 0; i < doc.ntags; i++)
			sb_addf(&tags, "%s%s", i ? ", " : "", doc.tags[i]);
		*a = (struct kb_article){
			.file = xstrdup(en->rel),
			.slug = slug,
			.title = doc.title,
			.tags = sb_take(&tags),
			.audience = xstrdup(doc.public_ ? "public" : "internal"),
			.body = doc.body,
			.mtime_ns = en->mtime_ns,
			.size = en->size,
			.sha256 = xstrdup(sum),
		};
		slug = NULL;
		doc.title = doc.body = NULL;
		g_free(sum);
		kb_doc_free(&doc);
	}
	free(slug);
	free(text);
	return rc;
}

static const char *kb_root(const struct config *cfg, struct derr *e)
{
	if (cfg && cfg->kb_path)
		return cfg->kb_path;
	derr_set(e, DESK_ENOTFOUND,
		 "no knowledge base: set knowledge_base: {path: FOLDER} in the team's config.yaml "
		 "(desk.yaml(5))");
	return NULL;
}

/* The indexed file named rel, or NULL. */
static const struct kb_article *indexed(const struct kb_list *idx, const char *rel)
{
	size_t lo = 0, hi = idx->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(idx->v[mid].file, rel);
		if (!c)
			return &idx->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool on_disk(const struct kb_entries *disk, const char *rel)
{
	struct kb_entry key = {.rel = (char *)rel};
	return disk->n && bsearch(&key, disk->v, disk->n, sizeof *disk->v, by_rel);
}

/* Slugs seen, owned (a nameset does not copy its names). */
struct slugs {
	struct nameset set;
	char **v;
	size_t n;
};

static void slugs_init(struct slugs *s, size_t max)
{
	nameset_init(&s->set, max);
	s->v = xcalloc(max + 1, sizeof *s->v);
	s->n = 0;
}

/* Adds slug; returns the index given with its first sighting, else -1. */
static long slugs_add(struct slugs *s, const char *slug, long index)
{
	s->v[s->n] = xstrdup(slug);
	long first = nameset_add(&s->set, s->v[s->n], index);
	if (first >= 0)
		free(s->v[s->n]);
	else
		s->n++;
	return first;
}

static void slugs_free(struct slugs *s)
{
	nameset_free(&s->set);
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* The index in step with disk; write: inside a transaction (else only
 * counts what it would do, to know whether one is needed). */
static int apply(struct desk *d, const struct kb_entries *disk, bool write, struct kb_sync *out,
		 struct derr *e)
{
	memset(out, 0, sizeof *out);
	struct kb_list idx;
	int rc = store_kb_files(d->st, &idx, e);
	if (rc)
		return rc;
	/* A file indexed and still there keeps its slug; a new file with
	 * the slug of another is left out (desk kb check names both). */
	struct slugs slugs;
	slugs_init(&slugs, idx.n + disk->n);
	for (size_t i = 0; rc == DESK_OK && i < idx.n; i++) {
		if (on_disk(disk, idx.v[i].file)) {
			slugs_add(&slugs, idx.v[i].slug, (long)i);
			continue;
		}
		out->dropped++;
		if (write)
			rc = store_kb_drop(d->st, idx.v[i].file, e);
	}
	for (size_t i = 0; rc == DESK_OK && i < disk->n; i++) {
		const struct kb_entry *en = &disk->v[i];
		const struct kb_article *had = indexed(&idx, en->rel);
		if (had && had->mtime_ns == en->mtime_ns && had->size == en->size) {
			out->articles++;
			continue;
		}
		struct kb_article a;
		struct derr pe = {0};
		out->read++;
		if (read_article(en, &a, &pe)) {
			out->skipped++;
			if (had) {
				out->dropped++;
				if (write)
					rc = store_kb_drop(d->st, en->rel, e);
			}
			continue;
		}
		if (had && strcmp(had->sha256, a.sha256) == 0) {
			out->articles++;
			if (write)
				rc = store_kb_restat(d->st, en->rel, en->mtime_ns, en->size, e);
		} else if (!had && slugs_add(&slugs, a.slug, (long)(idx.n + i)) >= 0) {
			out->skipped++;
		} else {
			out->articles++;
			if (write)
				rc = store_kb_put(d->st, &a, e);
		}
		kb_article_free(&a);
	}
	slugs_free(&slugs);
	kb_list_free(&idx);
	return rc;
}

int core_kb_sync(struct desk *d, struct kb_sync *out, struct derr *e)
{
	memset(out, 0, sizeof *out);
	const char *root = kb_root(d->cfg, e);
	if (!root)
		return DESK_ENOTFOUND;
	struct kb_entries disk;
	int rc = scan(root, &disk, e);
	if (rc)
		return rc;
	/* Looked at without a transaction first: most syncs find nothing
	 * changed and must not take the write lock. */
	struct kb_sync would;
	rc = apply(d, &disk, false, &would, e);
	bool changed = would.dropped || would.read > would.skipped;
	if (rc == DESK_OK && !changed)
		*out = would;
	else if (rc == DESK_OK && (rc = store_begin(d->st, e)) == DESK_OK) {
		if ((rc = apply(d, &disk, true, out, e)) == DESK_OK)
			rc = store_commit(d->st, e);
		else
			store_rollback(d->st);
	}
	entries_free(&disk);
	return rc;
}

int core_kb_check(const struct config *cfg, void (*fn)(void *ctx, const char *problem),
		  void *ctx, size_t *articles, size_t *problems, struct derr *e)
{
	*articles = *problems = 0;
	const char *root = kb_root(cfg, e);
	if (!root)
		return DESK_ENOTFOUND;
	struct kb_entries disk;
	int rc = scan(root, &disk, e);
	if (rc)
		return rc;
	struct slugs slugs;
	slugs_init(&slugs, disk.n);
	for (size_t i = 0; i < disk.n; i++) {
		struct kb_article a;
		struct derr pe = {0};
		(*articles)++;
		if (read_article(&disk.v[i], &a, &pe)) {
			(*problems)++;
			fn(ctx, pe.msg);
			continue;
		}
		long first = slugs_add(&slugs, a.slug, (long)i);
		if (first >= 0) {
			char *msg = xasprintf("%s:1: duplicate slug \"%s\": %s has it already (the "
					      "file's name is the slug: rename one)",
					      disk.v[i].full, a.slug, disk.v[first].full);
			(*problems)++;
			fn(ctx, msg);
			free(msg);
		}
		kb_article_free(&a);
	}
	slugs_free(&slugs);
	entries_free(&disk);
	return DESK_OK;
}

char *core_kb_link(const struct config *cfg, const struct kb_article *a, struct derr *e)
{
	if (!a->audience || strcmp(a->audience, "public") != 0) {
		derr_set(e, DESK_EDENIED,
			 "\"%s\" is an internal article: it is never linked for a customer (insert "
			 "its text, or give it audience: public)",
			 a->slug);
		return NULL;
	}
	if (!cfg || !cfg->kb_public_url) {
		derr_set(e, DESK_EINVAL,
			 "articles have no public address: set knowledge_base.public_url in the "
			 "team's config.yaml");
		return NULL;
	}
	const char *u = cfg->kb_public_url, *at = strstr(u, "{slug}");
	if (!at) /* config.c refuses it; kept safe anyway */
		return xstrdup(u);
	return xasprintf("%.*s%s%s", (int)(at - u), u, a->slug, at + 6);
}

char *core_kb_reply_text(const struct kb_article *a)
{
	char *body = md_render_text(a->body, KB_REPLY_WIDTH);
	char *text = xasprintf("%s\n\n%s", a->title ? a->title : a->slug, body);
	free(body);
	return text;
}
