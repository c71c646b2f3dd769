// Conformance tests for Sprig's date functions (ported from Sprig's date_test.go): Go layouts,
// zones from the tz database, toDate parsing, durations, with a fixed clock.
#include "charts/sprig_internal.h"
#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

using testing::Sprig;

class SprigDates : public ::testing::Test {
 protected:
  void SetUp() override {
    // 2017-07-14T02:40:00.123456789Z
    sprig::SetClockForTesting(
        [] { return std::make_pair(int64_t{1500000000}, int64_t{123456789}); });
  }
  void TearDown() override { sprig::SetClockForTesting(nullptr); }
  Sprig s;
};

TEST_F(SprigDates, FormatsWithGoLayouts) {
  Value t = 1500000000;
  EXPECT_EQ(s.Ok("dateInZone", {"2006-01-02 15:04:05", t, "UTC"}), "2017-07-14 02:40:00");
  EXPECT_EQ(s.Ok("date_in_zone", {"2006-01-02 15:04:05 MST -0700", t, "America/New_York"}),
            "2017-07-13 22:40:00 EDT -0400");
  EXPECT_EQ(s.Ok("dateInZone", {"Monday, 02-Jan-06 3:04PM Z07:00", t, "Asia/Kolkata"}),
            "Friday, 14-Jul-17 8:10AM +05:30");
  EXPECT_EQ(s.Ok("dateInZone", {"Jan _2 __2 002 pm Z0700 -07", t, "UTC"}),
            "Jul 14 195 195 am Z +00");
  EXPECT_EQ(s.Ok("dateInZone", {"2006-01-02", t, "Not/AZone"}), "2017-07-14");
  Value now = s.Ok("now", {});
  EXPECT_EQ(GoTypeName(now), "time.Time");
  EXPECT_EQ(s.Ok("dateInZone", {"15:04:05.000 .999999 .9", now, "UTC"}), "02:40:00.123 .123456 .1");
  EXPECT_EQ(s.Ok("htmlDateInZone", {t, "UTC"}), "2017-07-14");
  EXPECT_EQ(s.Ok("unixEpoch", {now}), "1500000000");
  // Anything that is not a time or an integer formats the current time.
  EXPECT_EQ(s.Ok("dateInZone", {"2006", 1.5e9, "UTC"}), "2017");
  EXPECT_EQ(s.Ok("dateInZone", {"2006-01-02", 0, "UTC"}), "1970-01-01");
  EXPECT_EQ(FormatValue(s.Ok("toDate", {"2006-01-02", "2017-12-31"})),
            "2017-12-31 00:00:00 +0000 UTC");
}

TEST_F(SprigDates, ParsesWithToDate) {
  Value d = s.Ok("toDate", {"2006-01-02", "2017-12-31"});
  EXPECT_EQ(s.Ok("dateInZone", {"02/01/2006", d, "UTC"}), "31/12/2017");
  EXPECT_EQ(s.Ok("unixEpoch", {d}), "1514678400");
  Value z = s.Ok("toDate", {"2006-01-02T15:04:05Z07:00", "2017-07-14T02:40:00+02:00"});
  EXPECT_EQ(s.Ok("unixEpoch", {z}), "1499992800");
  EXPECT_EQ(FormatValue(z), "2017-07-14 02:40:00 +0200 +0200");
  Value frac = s.Ok("mustToDate", {"2006-01-02 15:04:05", "2017-07-14 02:40:00.5"});
  EXPECT_EQ(s.Ok("dateInZone", {".000", frac, "UTC"}), ".500");
  Value pm = s.Ok("toDate", {"Jan 2 2006 3:04PM MST", "Feb 3 2013 7:54PM UTC"});
  EXPECT_EQ(s.Ok("dateInZone", {"2006-01-02T15:04", pm, "UTC"}), "2013-02-03T19:54");
  EXPECT_EQ(FormatValue(s.Ok("toDate", {"2006-01-02", "bad"})), "0001-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(s.Err("mustToDate", {"2006-01-02", "bad"}),
            "parsing time \"bad\" as \"2006-01-02\": cannot parse \"bad\" as \"2006\"");
  EXPECT_EQ(s.Err("mustToDate", {"2006-01-02", "2017-13-01"}),
            "parsing time \"2017-13-01\": month out of range");
  EXPECT_EQ(s.Err("mustToDate", {"2006-01-02", "2017-02-30"}),
            "parsing time \"2017-02-30\": day out of range");
  EXPECT_EQ(s.Err("mustToDate", {"2006-01-02", "2017-02-03x"}),
            "parsing time \"2017-02-03x\": extra text: \"x\"");
}

TEST_F(SprigDates, ModifiesAndMeasuresDurations) {
  Value t = s.Ok("toDate", {"2006-01-02 15:04", "2017-07-14 02:40"});
  for (const char* fn : {"dateModify", "date_modify", "mustDateModify", "must_date_modify"}) {
    EXPECT_EQ(s.Ok("dateInZone", {"2006-01-02 15:04:05", s.Ok(fn, {"-1.5h", t}), "UTC"}),
              "2017-07-14 01:10:00");
    EXPECT_EQ(s.Ok("dateInZone", {"15:04:05.000", s.Ok(fn, {"1m30.25s", t}), "UTC"}),
              "02:41:30.250");
  }
  EXPECT_EQ(s.Ok("dateModify", {"bogus", t}), t);
  EXPECT_EQ(s.Err("mustDateModify", {"bogus", t}), "time: invalid duration \"bogus\"");
  EXPECT_EQ(s.Err("mustDateModify", {"5", t}), "time: missing unit in duration \"5\"");
  EXPECT_EQ(s.Err("mustDateModify", {"5y", t}), "time: unknown unit \"y\" in duration \"5y\"");
  EXPECT_EQ(s.Err("dateModify", {"1h", "x"}),
            "wrong type for value; expected time.Time; got string");
  EXPECT_EQ(s.Ok("duration", {"95"}), "1m35s");
  EXPECT_EQ(s.Ok("duration", {86400}), "24h0m0s");
  EXPECT_EQ(s.Ok("duration", {"0"}), "0s");
  EXPECT_EQ(s.Ok("duration", {1.5}), "0s");
  EXPECT_EQ(s.Ok("durationRound", {"2h10m5s"}), "2h");
  EXPECT_EQ(s.Ok("durationRound", {"400h"}), "16d");
  EXPECT_EQ(s.Ok("durationRound", {"10000h"}), "1y");
  EXPECT_EQ(s.Ok("durationRound", {"1000h"}), "1m");
  EXPECT_EQ(s.Ok("durationRound", {"-3m"}), "3m");
  EXPECT_EQ(s.Ok("durationRound", {"1ms"}), "0s");
  Value hour_ago = s.Ok("dateModify", {"-1h", s.Ok("now", {})});
  EXPECT_EQ(s.Ok("ago", {hour_ago}), "1h0m0s");
  EXPECT_EQ(s.Ok("durationRound", {hour_ago}), "60m");  // not more than an hour
  EXPECT_EQ(s.Ok("ago", {1500000000 - 90}), "1m30s");
}

}  // namespace
}  // namespace keelson::charts
