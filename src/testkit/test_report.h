// Renderings of `strata test` reports: JSON, readable text and JUnit XML for CI.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "testkit/migration_tester.h"

namespace strata {

nlohmann::json ToJson(const ServiceTestReport& report);
// Failures first in full (step, message, differing objects), then one line per migration
// (duration, the lock held longest, plan changes), then the verdict.
std::string ToText(const ServiceTestReport& report);
// One <testsuite> per service, one <testcase> per step (classname service.migration).
std::string ToJUnit(const std::vector<ServiceTestReport>& reports);

}  // namespace strata
