#include <bastion/config/config.hpp>

#include <bastion/util/random.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bastion {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using env_map = std::map<std::string, std::string>;

config_sources sources(env_map env, std::string file = {}) {
  config_sources s;
  s.file = std::move(file);
  s.getenv = [env = std::move(env)](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return s;
}

// Problems as "OPTION: message" lines, for readable failure output.
std::string listed(const config& c) {
  std::string out;
  for (const auto& p : c.problems()) out += p.option + ": " + p.message + "\n";
  return out;
}

const config_problem* problem_for(const config& c, std::string_view option) {
  for (const auto& p : c.problems())
    if (p.option == option) return &p;
  return nullptr;
}

class Config : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bastion-config-test-" + random_hex(8));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, std::string_view content) {
    const auto p = dir_ / name;
    std::ofstream out(p, std::ios::binary);
    out << content;
    return p.string();
  }
  fs::path dir_;
};

TEST_F(Config, DefaultsApplyWhenNothingIsSet) {
  const auto c = load_config({}, sources({}));
  ASSERT_TRUE(c.problems().empty()) << listed(c);
  EXPECT_EQ(c.env(), environment::development);
  EXPECT_FALSE(c.is_production());
  EXPECT_FALSE(c.debug());
  struct row {
    const char* name;
    std::string_view option, text;
  };
  const row rows[] = {
      {"AppEnv", "APP_ENV", "development"},
      {"Host", "HOST", "127.0.0.1"},
      {"Port", "PORT", "8080"},
      {"MaxContentLength", "MAX_CONTENT_LENGTH", "1MiB"},
      {"HeaderTimeout", "HEADER_TIMEOUT", "10s"},
      {"AccessLog", "ACCESS_LOG", "true"},
      {"DatabaseUrl", "DATABASE_URL", "sqlite:///instance/app.db"},
      {"SecretKeyUnset", "SECRET_KEY", ""},
      {"ServerNameUnset", "SERVER_NAME", ""},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(c.get(r.option), r.text);
    EXPECT_EQ(c.source(r.option), value_source::default_value);
    EXPECT_FALSE(c.is_set(r.option));
  }
  EXPECT_EQ(c.get_int("PORT"), 8080);
  EXPECT_EQ(c.get_size("MAX_CONTENT_LENGTH"), 1048576u);
  EXPECT_EQ(c.get_duration("HEADER_TIMEOUT"), 10s);
  EXPECT_TRUE(c.get_bool("ACCESS_LOG"));
  EXPECT_TRUE(c.get_list("SERVER_NAME").empty());
}

TEST_F(Config, EnvironmentOverridesFileOverridesDefault) {
  const std::string toml =
      "PORT = 1000\n"
      "\n"
      "[development]\n"
      "HOST = \"0.0.0.0\"\n"
      "\n"
      "[production]\n"
      "PORT = 2000\n";
  const auto file = write("app.toml", toml);
  struct row {
    const char* name;
    env_map env;
    bool with_file;
    std::string_view option, expected;
    value_source source;
  };
  const row rows[] = {
      {"DefaultOnly", {}, false, "PORT", "8080", value_source::default_value},
      {"FileOverridesDefault", {}, true, "PORT", "1000", value_source::file},
      {"TableForOtherEnvironmentIgnored", {{"APP_ENV", "development"}}, true, "PORT", "1000", value_source::file},
      {"EnvironmentTableOverridesTopLevel", {{"APP_ENV", "production"}}, true, "PORT", "2000", value_source::file},
      {"EnvironmentTableOverridesDefault", {}, true, "HOST", "0.0.0.0", value_source::file},
      {"EnvironmentVariableOverridesFile", {{"PORT", "3000"}}, true, "PORT", "3000", value_source::environment},
      {"EnvironmentVariableOverridesEnvironmentTable", {{"APP_ENV", "production"}, {"PORT", "3000"}}, true, "PORT",
       "3000", value_source::environment},
      {"EnvironmentVariableWithoutFile", {{"PORT", "3000"}}, false, "PORT", "3000", value_source::environment},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto c = load_config({}, sources(r.env, r.with_file ? file : std::string{}));
    ASSERT_TRUE(c.problems().empty()) << listed(c);
    EXPECT_EQ(c.get(r.option), r.expected);
    EXPECT_EQ(c.source(r.option), r.source);
    EXPECT_EQ(c.is_set(r.option), r.source != value_source::default_value);
  }
}

TEST_F(Config, ConfigFileCanComeFromTheEnvironment) {
  const auto file = write("app.toml", "PORT = 4321\n");
  const auto c = load_config({}, sources({{"CONFIG_FILE", file}}));
  ASSERT_TRUE(c.problems().empty()) << listed(c);
  EXPECT_EQ(c.get_int("PORT"), 4321);
}

TEST_F(Config, ReadsTomlValuesOfEveryKind) {
  const auto file = write("app.toml",
                          "port = 9000\n"  // keys are matched upper-cased
                          "APP_DEBUG = true\n"
                          "SERVER_NAME = [\"a.example\", \"b.example\"]\n"
                          "MAX_CONTENT_LENGTH = \"2MiB\"\n"
                          "HEADER_TIMEOUT = \"500ms\"\n");
  const auto c = load_config({}, sources({}, file));
  ASSERT_TRUE(c.problems().empty()) << listed(c);
  EXPECT_EQ(c.get_int("PORT"), 9000);
  EXPECT_TRUE(c.debug());
  EXPECT_EQ(c.get_list("SERVER_NAME"), (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(c.get_size("MAX_CONTENT_LENGTH"), 2u << 20);
  EXPECT_EQ(c.get_duration("HEADER_TIMEOUT"), 500ms);
}

TEST_F(Config, AppEnvComesFromTheEnvironmentOrTheFile) {
  const auto file = write("app.toml", "APP_ENV = \"testing\"\n");
  struct row {
    const char* name;
    env_map env;
    bool with_file;
    environment expected;
  };
  const row rows[] = {
      {"Default", {}, false, environment::development},
      {"FromFile", {}, true, environment::testing},
      {"EnvironmentOverridesFile", {{"APP_ENV", "development"}}, true, environment::development},
      {"Production", {{"APP_ENV", "production"}}, false, environment::production},
      {"ShortName", {{"APP_ENV", "prod"}}, false, environment::production},
      {"AnyCase", {{"APP_ENV", "Testing"}}, false, environment::testing},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto c = load_config({}, sources(r.env, r.with_file ? file : std::string{}));
    EXPECT_EQ(c.env(), r.expected);
    EXPECT_EQ(c.get("APP_ENV"), to_string(r.expected));
  }
}

TEST_F(Config, InvalidAppEnvIsAProblem) {
  const auto c = load_config({}, sources({{"APP_ENV", "staging"}}));
  const auto* p = problem_for(c, "APP_ENV");
  ASSERT_NE(p, nullptr) << listed(c);
  EXPECT_NE(p->message.find("'staging'"), std::string::npos) << p->message;
}

TEST_F(Config, TypedOptionsAreValidatedWithAClearMessage) {
  struct row {
    const char* name;
    std::string option, value, message;
  };
  const row rows[] = {
      {"PortNotANumber", "PORT", "80x", "'80x' is not an integer"},
      {"PortEmptyNumber", "PORT", "-", "'-' is not an integer"},
      {"PortOutOfRange", "PORT", "70000", "'70000' is out of range (expected 0..65535)"},
      {"PortNegative", "PORT", "-1", "'-1' is out of range"},
      {"BooleanMaybe", "APP_DEBUG", "maybe", "'maybe' is not a boolean"},
      {"SizeWithUnknownUnit", "MAX_CONTENT_LENGTH", "10 parsecs", "'10 parsecs' is not a size"},
      {"SizeZeroOutOfRange", "MAX_CONTENT_LENGTH", "0", "'0' is out of range"},
      {"SizeBelowMinimum", "MAX_HEADER_BYTES", "512", "'512' is out of range"},
      {"DurationWord", "HEADER_TIMEOUT", "soon", "'soon' is not a duration"},
      {"DurationFraction", "HEADER_TIMEOUT", "1.5s", "'1.5s' is not a duration"},
      {"DurationTooShort", "HEADER_TIMEOUT", "10ms", "'10ms' is out of range"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto c = load_config({}, sources({{r.option, r.value}}));
    ASSERT_EQ(c.problems().size(), 1u) << listed(c);
    EXPECT_EQ(c.problems()[0].option, r.option);
    EXPECT_NE(c.problems()[0].message.find(r.message), std::string::npos) << c.problems()[0].message;
  }
}

// Compose files and shell scripts easily produce `PORT=` (set, but empty). For a typed
// option that must not turn into 0 behind the validator's back: either the load reports
// it, or the default still applies.
TEST_F(Config, EmptyTypedValueIsNeitherZeroNorSilentlyAccepted) {
  struct row {
    const char* name;
    std::string option;
  };
  const row rows[] = {
      {"Integer", "PORT"},
      {"IntegerWithMinimumOne", "MAX_FORM_FIELDS"},
      {"SizeWithMinimumOne", "MAX_CONTENT_LENGTH"},
      {"DurationWithMinimum", "HEADER_TIMEOUT"},
      {"Boolean", "ACCESS_LOG"},
  };
  const auto defaults = load_config({}, sources({}));
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto c = load_config({}, sources({{r.option, ""}}));
    if (problem_for(c, r.option)) continue;
    EXPECT_EQ(c.get(r.option), defaults.get(r.option)) << "accepted without a problem";
  }
}

TEST_F(Config, TypedGettersReadValidValues) {
  struct row {
    const char* name;
    std::string option, value;
    std::uint64_t size;                    // for size options
    std::chrono::milliseconds duration;    // for duration options
  };
  const row rows[] = {
      {"MebibytesSize", "MAX_CONTENT_LENGTH", "1MiB", 1048576, {}},
      {"KibibytesSize", "MAX_CONTENT_LENGTH", "512KiB", 524288, {}},
      {"PlainBytes", "MAX_CONTENT_LENGTH", "1000", 1000, {}},
      {"Milliseconds", "HEADER_TIMEOUT", "500ms", 0, 500ms},
      {"Seconds", "HEADER_TIMEOUT", "10s", 0, 10s},
      {"Minutes", "HEADER_TIMEOUT", "2m", 0, 2min},
      {"PlainSeconds", "HEADER_TIMEOUT", "3", 0, 3s},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto c = load_config({}, sources({{r.option, r.value}}));
    ASSERT_TRUE(c.problems().empty()) << listed(c);
    if (r.size) {
      EXPECT_EQ(c.get_size(r.option), r.size);
    } else {
      EXPECT_EQ(c.get_duration(r.option), r.duration);
    }
  }
}

TEST_F(Config, BooleansAcceptTheUsualSpellings) {
  for (std::string_view on : {"true", "on", "yes", "1", "TRUE"}) {
    SCOPED_TRACE(std::string(on));
    const auto c = load_config({}, sources({{"APP_DEBUG", std::string(on)}}));
    ASSERT_TRUE(c.problems().empty()) << listed(c);
    EXPECT_TRUE(c.debug());
  }
  for (std::string_view off : {"false", "off", "no", "0", "Off"}) {
    SCOPED_TRACE(std::string(off));
    const auto c = load_config({}, sources({{"APP_DEBUG", std::string(off)}}));
    ASSERT_TRUE(c.problems().empty()) << listed(c);
    EXPECT_FALSE(c.debug());
  }
}

TEST_F(Config, EveryProblemIsReportedAtOnce) {
  const auto c = load_config({}, sources({{"PORT", "x"}, {"APP_DEBUG", "maybe"}, {"HEADER_TIMEOUT", "soon"}}));
  EXPECT_EQ(c.problems().size(), 3u) << listed(c);
  EXPECT_NE(problem_for(c, "PORT"), nullptr);
  EXPECT_NE(problem_for(c, "APP_DEBUG"), nullptr);
  EXPECT_NE(problem_for(c, "HEADER_TIMEOUT"), nullptr);
}

TEST_F(Config, UnknownFileKeysSuggestTheCloseName) {
  struct row {
    const char* name;
    std::string toml;
    std::string key;
    std::optional<std::string> suggestion;
  };
  const row rows[] = {
      {"SwappedLetters", "PROT = 8080\n", "PROT", "PORT"},
      {"LowerCaseTypo", "secret_kye = \"x\"\n", "SECRET_KYE", "SECRET_KEY"},
      {"MissingLetter", "HOT = \"0.0.0.0\"\n", "HOT", "HOST"},
      {"InsideEnvironmentTable", "[production]\nPROT = 1\n", "PROT", "PORT"},
      {"NothingClose", "COMPLETELY_UNRELATED = 1\n", "COMPLETELY_UNRELATED", std::nullopt},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto file = write("app.toml", r.toml);
    const auto c = load_config({}, sources({}, file));
    const auto* p = problem_for(c, r.key);
    ASSERT_NE(p, nullptr) << listed(c);
    EXPECT_NE(p->message.find("unknown option"), std::string::npos) << p->message;
    EXPECT_NE(p->message.find(file), std::string::npos) << p->message;
    if (r.suggestion) {
      EXPECT_NE(p->message.find("did you mean " + *r.suggestion + "?"), std::string::npos) << p->message;
    } else {
      EXPECT_EQ(p->message.find("did you mean"), std::string::npos) << p->message;
    }
  }
}

TEST_F(Config, UnknownTableIsAProblem) {
  const auto file = write("app.toml", "[staging]\nPORT = 1\n");
  const auto c = load_config({}, sources({}, file));
  const auto* p = problem_for(c, "STAGING");
  ASSERT_NE(p, nullptr) << listed(c);
  EXPECT_NE(p->message.find("[staging]"), std::string::npos) << p->message;
  EXPECT_EQ(c.get("PORT"), "8080");
}

TEST_F(Config, TomlSyntaxErrorNamesTheFileAndLine) {
  const auto file = write("broken.toml", "PORT = 8080\nHOST = = \"x\"\n");
  const auto c = load_config({}, sources({}, file));
  const auto* p = problem_for(c, "CONFIG_FILE");
  ASSERT_NE(p, nullptr) << listed(c);
  EXPECT_NE(p->message.find(file), std::string::npos) << p->message;
  EXPECT_NE(p->message.find("line 2"), std::string::npos) << p->message;
}

TEST_F(Config, MissingConfigFileIsAProblem) {
  const auto c = load_config({}, sources({}, (dir_ / "absent.toml").string()));
  const auto* p = problem_for(c, "CONFIG_FILE");
  ASSERT_NE(p, nullptr) << listed(c);
  EXPECT_NE(p->message.find("absent.toml"), std::string::npos) << p->message;
}

TEST_F(Config, SecretKeyFileIsReadWithoutItsTrailingNewline) {
  const std::string key(48, 'k');
  struct row {
    const char* name;
    std::string content;
  };
  const row rows[] = {
      {"NoNewline", key},
      {"Newline", key + "\n"},
      {"CarriageReturnNewline", key + "\r\n"},
      {"SeveralNewlines", key + "\n\n"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto file = write("secret_key", r.content);
    const auto c = load_config({}, sources({{"APP_ENV", "production"}, {"SECRET_KEY_FILE", file}}));
    ASSERT_TRUE(c.problems().empty()) << listed(c);
    EXPECT_EQ(c.secret_key(), key);
    EXPECT_FALSE(c.secret_key_is_ephemeral());
  }
}

TEST_F(Config, UnreadableSecretKeyFileIsAProblem) {
  const auto missing = (dir_ / "no_such_key").string();
  const auto c = load_config({}, sources({{"APP_ENV", "production"}, {"SECRET_KEY_FILE", missing}}));
  const auto* p = problem_for(c, "SECRET_KEY_FILE");
  ASSERT_NE(p, nullptr) << listed(c);
  EXPECT_NE(p->message.find("cannot read"), std::string::npos) << p->message;
  EXPECT_TRUE(c.secret_key().empty());
}

TEST_F(Config, SecretKeyAndSecretKeyFileTogetherAreAProblem) {
  const auto file = write("secret_key", std::string(40, 'f'));
  const auto c = load_config({}, sources({{"SECRET_KEY", std::string(40, 'e')}, {"SECRET_KEY_FILE", file}}));
  const auto* p = problem_for(c, "SECRET_KEY_FILE");
  ASSERT_NE(p, nullptr) << listed(c);
  EXPECT_NE(p->message.find("both"), std::string::npos) << p->message;
}

TEST_F(Config, SecretKeyFromTheEnvironmentIsUsedAsIs) {
  const std::string key(40, 'e');
  const auto c = load_config({}, sources({{"APP_ENV", "production"}, {"SECRET_KEY", key}}));
  ASSERT_TRUE(c.problems().empty()) << listed(c);
  EXPECT_EQ(c.secret_key(), key);
  EXPECT_FALSE(c.secret_key_is_ephemeral());
}

TEST_F(Config, WithoutAKeyDevelopmentAndTestingGetAnEphemeralKey) {
  for (std::string_view env : {"development", "testing"}) {
    SCOPED_TRACE(std::string(env));
    const auto a = load_config({}, sources({{"APP_ENV", std::string(env)}}));
    const auto b = load_config({}, sources({{"APP_ENV", std::string(env)}}));
    ASSERT_TRUE(a.problems().empty()) << listed(a);
    EXPECT_TRUE(a.secret_key_is_ephemeral());
    EXPECT_GE(a.secret_key().size(), 32u);
    EXPECT_NE(a.secret_key(), b.secret_key());
    EXPECT_EQ(a.get("SECRET_KEY"), "");  // not shown as if configured
  }
}

TEST_F(Config, WithoutAKeyProductionHasNone) {
  const auto c = load_config({}, sources({{"APP_ENV", "production"}}));
  EXPECT_TRUE(c.secret_key().empty());
  EXPECT_FALSE(c.secret_key_is_ephemeral());
}

TEST_F(Config, DescribeRedactsSecretsAndDatabasePasswords) {
  const std::string key = "key-material-that-must-not-show-0123456789";
  const std::string fallback = "old-key-material-that-must-not-show-012345";
  const auto c = load_config({}, sources({{"SECRET_KEY", key},
                                          {"SECRET_KEY_FALLBACKS", fallback},
                                          {"DATABASE_URL", "postgresql://app:hunter2pass@db.example:5432/app"}}));
  ASSERT_TRUE(c.problems().empty()) << listed(c);
  std::map<std::string, config::described> by_name;
  for (auto& d : c.describe()) by_name[d.name] = d;
  EXPECT_EQ(by_name["SECRET_KEY"].value, "[redacted]");
  EXPECT_EQ(by_name["SECRET_KEY"].source, "environment");
  EXPECT_EQ(by_name["SECRET_KEY_FALLBACKS"].value, "[redacted]");
  EXPECT_EQ(by_name["DATABASE_URL"].value.find("hunter2pass"), std::string::npos) << by_name["DATABASE_URL"].value;
  EXPECT_NE(by_name["DATABASE_URL"].value.find("db.example"), std::string::npos) << by_name["DATABASE_URL"].value;
  EXPECT_EQ(by_name["PORT"].value, "8080");
  EXPECT_EQ(by_name["PORT"].source, "default");
  for (const auto& d : c.describe()) {
    SCOPED_TRACE(d.name);
    for (const auto& secret : {key, fallback, std::string("hunter2pass")}) {
      EXPECT_EQ(d.value.find(secret), std::string::npos) << d.value;
      EXPECT_EQ(d.description.find(secret), std::string::npos);
    }
  }
}

TEST_F(Config, DescribeRedactsTheDatabasePasswordInTheQueryToo) {
  const auto c = load_config({}, sources({{"DATABASE_URL", "postgresql://db.example/app?user=app&password=hunter2pass"}}));
  for (const auto& d : c.describe())
    if (d.name == "DATABASE_URL") {
      EXPECT_EQ(d.value.find("hunter2pass"), std::string::npos) << d.value;
    }
}

TEST_F(Config, InvalidSecretValueIsNotRepeatedInItsProblem) {
  option_spec pin;
  pin.name = "API_PIN";
  pin.type = option_type::integer;
  pin.secret = true;
  const std::string secret = "hunter2-not-a-number";
  auto c = load_config({pin}, sources({{"API_PIN", secret}}));
  const auto* p = problem_for(c, "API_PIN");
  ASSERT_NE(p, nullptr) << listed(c);
  EXPECT_EQ(p->message.find("hunter2"), std::string::npos) << p->message;

  EXPECT_FALSE(c.set("API_PIN", "hunter3-also-bad"));
  ASSERT_EQ(c.problems().back().option, "API_PIN");
  EXPECT_EQ(c.problems().back().message.find("hunter3"), std::string::npos) << c.problems().back().message;
  for (const auto& d : c.describe())
    if (d.name == "API_PIN") {
      EXPECT_EQ(d.value, "[redacted]");
    }
}

TEST_F(Config, AppOptionsAreDeclaredWithPerEnvironmentDefaults) {
  option_spec mode;
  mode.name = "CACHE_MODE";
  mode.default_value = "memory";
  mode.env_default[static_cast<std::size_t>(environment::production)] = "redis";
  struct row {
    const char* name;
    env_map env;
    std::string expected;
  };
  const row rows[] = {
      {"DevelopmentDefault", {}, "memory"},
      {"ProductionDefault", {{"APP_ENV", "production"}}, "redis"},
      {"EnvironmentWins", {{"APP_ENV", "production"}, {"CACHE_MODE", "none"}}, "none"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto c = load_config({mode}, sources(r.env));
    EXPECT_TRUE(c.is_declared("CACHE_MODE"));
    EXPECT_EQ(c.get("CACHE_MODE"), r.expected);
    EXPECT_TRUE(c.is_declared("PORT"));  // core options are added
  }
}

TEST_F(Config, SetRevalidatesTheValue) {
  auto c = load_config({}, sources({}));
  ASSERT_TRUE(c.problems().empty()) << listed(c);
  EXPECT_TRUE(c.set("PORT", "9000"));
  EXPECT_EQ(c.get_int("PORT"), 9000);
  EXPECT_EQ(c.source("PORT"), value_source::environment);
  EXPECT_FALSE(c.set("PORT", "ninety"));
  EXPECT_EQ(c.get_int("PORT"), 9000);
  ASSERT_EQ(c.problems().size(), 1u);
  EXPECT_EQ(c.problems()[0].option, "PORT");
  EXPECT_THROW(c.set("NOT_DECLARED", "1"), std::logic_error);
}

TEST_F(Config, SetSecretKeyReplacesTheEphemeralKey) {
  auto c = load_config({}, sources({}));
  ASSERT_TRUE(c.secret_key_is_ephemeral());
  const std::string key(40, 's');
  EXPECT_TRUE(c.set("SECRET_KEY", key));
  EXPECT_EQ(c.secret_key(), key);
  EXPECT_FALSE(c.secret_key_is_ephemeral());
}

TEST_F(Config, UndeclaredOptionsCannotBeRead) {
  const auto c = load_config({}, sources({{"NOT_DECLARED", "1"}}));
  EXPECT_FALSE(c.is_declared("NOT_DECLARED"));
  EXPECT_THROW(c.get("NOT_DECLARED"), std::logic_error);
  EXPECT_THROW(c.get_bool("NOT_DECLARED"), std::logic_error);
}

TEST(ParseSize, ReadsBytesWithBinaryUnits) {
  struct row {
    const char* name;
    std::string_view text;
    std::optional<std::uint64_t> expected;
  };
  const row rows[] = {
      {"PlainBytes", "1048576", 1048576},
      {"Zero", "0", 0},
      {"ByteUnit", "10b", 10},
      {"Kibibytes", "512KiB", 512 * 1024},
      {"KilobytesAreBinaryToo", "1KB", 1024},
      {"K", "2k", 2048},
      {"Mebibytes", "1MiB", 1048576},
      {"M", "1M", 1048576},
      {"Gigabytes", "2GB", 2ull << 30},
      {"SpaceBeforeUnit", "1 MiB", 1048576},
      {"SurroundingSpaces", " 5 ", 5},
      {"MaxUint64", "18446744073709551615", 18446744073709551615ull},
      {"Empty", "", std::nullopt},
      {"UnitOnly", "MiB", std::nullopt},
      {"Negative", "-1", std::nullopt},
      {"UnknownUnit", "10 parsecs", std::nullopt},
      {"Terabytes", "1TiB", std::nullopt},
      {"Fraction", "1.5MiB", std::nullopt},
      {"Overflow", "18446744073709551616", std::nullopt},
      {"OverflowAfterUnit", "17179869184GiB", std::nullopt},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(parse_size(r.text), r.expected);
  }
}

TEST(ParseDuration, ReadsMillisecondsSecondsMinutesAndHours) {
  struct row {
    const char* name;
    std::string_view text;
    std::optional<std::chrono::milliseconds> expected;
  };
  const row rows[] = {
      {"PlainSeconds", "30", 30s},
      {"Milliseconds", "500ms", 500ms},
      {"Seconds", "10s", 10s},
      {"Minutes", "2m", 2min},
      {"MinutesLong", "5min", 5min},
      {"Hours", "1h", 1h},
      {"Days", "14d", 336h},
      {"Zero", "0", 0ms},
      {"SpaceBeforeUnit", "10 s", 10s},
      {"Empty", "", std::nullopt},
      {"UnitOnly", "s", std::nullopt},
      {"Negative", "-5s", std::nullopt},
      {"Fraction", "1.5s", std::nullopt},
      {"UnknownUnit", "3 days", std::nullopt},
      {"TooManyDigits", "1234567890123s", std::nullopt},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(parse_duration(r.text), r.expected);
  }
}

TEST(ParseBool, AcceptsFourSpellingsEachWay) {
  struct row {
    const char* name;
    std::string_view text;
    std::optional<bool> expected;
  };
  const row rows[] = {
      {"True", "true", true},   {"On", "on", true},      {"Yes", "yes", true},   {"One", "1", true},
      {"UpperCase", "TRUE", true}, {"Spaces", " yes ", true},
      {"False", "false", false}, {"Off", "off", false}, {"No", "no", false},    {"Zero", "0", false},
      {"Empty", "", std::nullopt}, {"Maybe", "maybe", std::nullopt}, {"Two", "2", std::nullopt},
      {"Y", "y", std::nullopt},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(parse_bool(r.text), r.expected);
  }
}

}  // namespace
}  // namespace bastion

namespace bastion {
namespace {

TEST_F(Config, AcceptsOnlyTheDeclaredChoicesOfAStringOption) {
  struct row {
    const char* value;
    bool ok;
  };
  const row rows[] = {{"info", true}, {"WARN", true}, {"off", true}, {"verbose", false}, {"inf", false}};
  for (const auto& r : rows) {
    SCOPED_TRACE(r.value);
    const auto c = load_config({}, sources({{"LOG_LEVEL", r.value}}));
    bool flagged = false;
    for (const auto& p : c.problems())
      if (p.option == "LOG_LEVEL") {
        flagged = true;
        EXPECT_NE(p.message.find("trace, debug, info"), std::string::npos) << p.message;
      }
    EXPECT_EQ(flagged, !r.ok);
  }
}

}  // namespace
}  // namespace bastion
