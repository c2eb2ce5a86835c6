/* SPDX-License-Identifier: MIT */
/* being written */
#include "mamori/enrich.h"
