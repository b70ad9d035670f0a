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
#include "fuzz_desk.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_dir_make("fuzz_import");
	struct derr e = {0};
	if (config_load_string("", "fuzz.yaml", &fuzz_cfg, &e) != DESK_OK)
		abort();
	fuzz_desk_open();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long runs = fuzz_desk_next(2000);
	FILE *in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0; /* fmemopen refuses size 0 on some libcs */
	struct import_opts o = {.skip_bad = !(size > 0 && data[0] & 1), .name = "fuzz.jsonl"};
	struct import_result r;
	struct derr e = {0};
	FILE *report = fopen("/dev/null", "w");
	int rc = core_import(&fuzz_d, in, &o, &r, report, &e);
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
		if (core_export(&fuzz_d, out, &e) != DESK_OK) {
			fprintf(stderr, "fuzz_import: export failed: %s\n", e.msg);
			abort();
		}
		fclose(out);
	}
	return 0;
}
