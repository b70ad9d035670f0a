/* fuzz_desk.c: the scratch desk the fuzz targets that write share: one
 * folder, a database made afresh now and then, all removed at exit. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_desk.h"
#include "util.h"

struct config fuzz_cfg;
struct desk fuzz_d;
static char dir[64];
static const char *target;
static unsigned long runs;

const char *fuzz_dir_make(const char *name)
{
	target = name;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/desk-%s-XXXXXX", base, name);
	if (!mkdtemp(dir))
		abort();
	return dir;
}

static void open_db(void)
{
	char *db = xasprintf("%s/fuzz-%lu.db", dir, runs);
	struct derr e = {0};
	if (desk_init(&fuzz_d, db, &fuzz_cfg, NULL, &e) != DESK_OK) {
		fprintf(stderr, "%s: %s\n", target, e.msg);
		abort();
	}
	free(db);
}

static void close_db(void)
{
	char *db = xstrdup(store_path(fuzz_d.st));
	desk_close(&fuzz_d);
	const char *suffix[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < ARRAY_LEN(suffix); i++) {
		char *p = xasprintf("%s%s", db, suffix[i]);
		unlink(p);
		free(p);
	}
	free(db);
}

/* The folder holds only what the target and the desk put there. */
static void at_exit(void)
{
	close_db();
	DIR *d = opendir(dir);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	config_free(&fuzz_cfg);
}

void fuzz_desk_open(void)
{
	open_db();
	atexit(at_exit);
}

unsigned long fuzz_desk_next(unsigned long renew)
{
	if (++runs % renew == 0) {
		close_db();
		open_db();
	}
	return runs;
}
