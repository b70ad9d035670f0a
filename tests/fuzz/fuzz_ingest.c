/* fuzz_ingest.c: libFuzzer target for the mail path: each input is one
 * message handed to core_ingest (GMime parsing, charsets, HTML, MIME
 * walking, threading, attachments, the store), and its bytes also go
 * straight through the HTML-to-text and charset converters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "core.h"
#include "mail.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config cfg;
static struct desk d;
static char dir[64];
static unsigned long runs;

/* A fresh database now and then, so a long run stays fast. */
static void open_desk(void)
{
	char *db = xasprintf("%s/fuzz-%lu.db", dir, runs);
	struct derr e = {0};
	if (desk_init(&d, db, &cfg, NULL, &e) != DESK_OK) {
		fprintf(stderr, "fuzz_ingest: %s\n", e.msg);
		abort();
	}
	free(db);
}

static void close_desk(void)
{
	char *db = xstrdup(store_path(d.st));
	desk_close(&d);
	const char *suffix[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < ARRAY_LEN(suffix); i++) {
		char *p = xasprintf("%s%s", db, suffix[i]);
		unlink(p);
		free(p);
	}
	free(db);
}

static void at_exit(void)
{
	close_desk();
	rmdir(dir);
	config_free(&cfg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* tmpfs when there is one: synchronous=FULL costs an fsync a commit */
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/desk-fuzz-XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	struct derr e = {0};
	/* no support address: nothing is ever sent */
	if (config_load_string("", "fuzz.yaml", &cfg, &e) != DESK_OK)
		abort();
	open_desk();
	atexit(at_exit);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (++runs % 5000 == 0) {
		close_desk();
		open_desk();
	}
	struct ingest_result r;
	struct derr e = {0};
	bool fault;
	int rc = core_ingest(&d, (const char *)data, size, NULL, &r, &fault, &e);
	/* The only failures a well-formed run may have: the message's own. */
	if (rc != DESK_OK && !fault) {
		fprintf(stderr, "fuzz_ingest: a system error on a message: %s\n", e.msg);
		abort();
	}
	if (rc == DESK_OK && r.outcome != INGEST_DUPLICATE && r.ticket_id <= 0)
		abort();
	char *t = mail_html_to_text((const char *)data, size);
	free(t);
	char *u = mail_to_utf8((const char *)data, size, size > 0 && data[0] & 1 ? "iso-2022-jp"
									      : NULL);
	free(u);
	return 0;
}
