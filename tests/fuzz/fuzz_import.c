/* fuzz_import.c: libFuzzer target for desk import: each input is a JSON
 * Lines file handed to core_import (SQLite's JSON parser, every field
 * check, merges, the writes), with bad lines skipped or, when the first
 * byte is odd, ending the import.  Now and then the desk is exported,
 * which must always work.  A failure other than a bad line (the disk,
 * the schema) is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "core.h"
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
		fprintf(stderr, "fuzz_import: %s\n", e.msg);
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
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/desk-fuzz-XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	struct derr e = {0};
	if (config_load_string("", "fuzz.yaml", &cfg, &e) != DESK_OK)
		abort();
	open_desk();
	atexit(at_exit);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (++runs % 2000 == 0) {
		close_desk();
		open_desk();
	}
	FILE *in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0; /* fmemopen refuses size 0 on some libcs */
	struct import_opts o = {.skip_bad = !(size > 0 && data[0] & 1), .name = "fuzz.jsonl"};
	struct import_result r;
	struct derr e = {0};
	FILE *report = fopen("/dev/null", "w");
	int rc = core_import(&d, in, &o, &r, report, &e);
	fclose(report);
	fclose(in);
	/* a bad line is the input's fault; anything else is desk's */
	if (rc != DESK_OK && rc != DESK_EINVAL) {
		fprintf(stderr, "fuzz_import: import failed (%d): %s\n", rc, e.msg);
		abort();
	}
	if (rc != DESK_OK && !e.msg[0])
		abort();
	if (runs % 100 == 0) {
		FILE *out = fopen("/dev/null", "w");
		if (core_export(&d, out, &e) != DESK_OK) {
			fprintf(stderr, "fuzz_import: export failed: %s\n", e.msg);
			abort();
		}
		fclose(out);
	}
	return 0;
}
