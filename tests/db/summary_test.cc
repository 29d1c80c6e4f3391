// Storage summary tests (being written).
#include <gtest/gtest.h>
