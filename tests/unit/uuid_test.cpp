// ffa::Uuid: RFC-4122 bytes, SMCCC little-endian words and the canonical text form
// (ffa-abi.md section 3.2).
#include <gtest/gtest.h>

#include "models/ffa/types.h"

namespace ffasim::ffa {
namespace {

// OP-TEE's UUID and the `uuid = <...>` cells of its SP manifest (section 3.2 example).
constexpr const char* kOpteeText = "486178e0-e7f8-11e3-bc5e-0002a5d5c51b";
constexpr std::array<uint32_t, 4> kOpteeWords = {0xe0786148, 0xe311f8e7, 0x02005ebc, 0x1bc5d5a5};
constexpr std::array<uint8_t, 16> kOpteeBytes = {0x48, 0x61, 0x78, 0xe0, 0xe7, 0xf8, 0x11, 0xe3,
                                                 0xbc, 0x5e, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b};

TEST(Uuid, FromWordsPacksEachWordLittleEndian) {
  Uuid u = Uuid::from_words(kOpteeWords[0], kOpteeWords[1], kOpteeWords[2], kOpteeWords[3]);
  EXPECT_EQ(u.bytes, kOpteeBytes);
}

TEST(Uuid, WordsReadsTheBytesBackAsTheManifestCells) {
  Uuid u;
  u.bytes = kOpteeBytes;
  EXPECT_EQ(u.words(), kOpteeWords);
}

TEST(Uuid, ParseReadsTheCanonicalTextInByteOrder) {
  Uuid u;
  ASSERT_TRUE(Uuid::parse(kOpteeText, u));
  EXPECT_EQ(u.bytes, kOpteeBytes);
  EXPECT_EQ(u.words(), kOpteeWords);
}

TEST(Uuid, StrPrintsLowerCaseCanonicalText) {
  Uuid u = Uuid::from_words(kOpteeWords[0], kOpteeWords[1], kOpteeWords[2], kOpteeWords[3]);
  EXPECT_EQ(u.str(), kOpteeText);
}

TEST(Uuid, RoundTripsWordsBytesAndText) {
  Uuid from_text;
  ASSERT_TRUE(Uuid::parse(kOpteeText, from_text));
  auto w = from_text.words();
  Uuid from_words = Uuid::from_words(w[0], w[1], w[2], w[3]);
  EXPECT_EQ(from_words, from_text);
  Uuid again;
  ASSERT_TRUE(Uuid::parse(from_words.str(), again));
  EXPECT_EQ(again, from_text);
}

// The default platform's test SP: the words Hafnium and TF-A-tests use for cactus.
TEST(Uuid, TestSpUuidGivesTheCactusWords) {
  Uuid u;
  ASSERT_TRUE(Uuid::parse("1e67b5b4-e14f-904a-13fb-1fb8cbdae1da", u));
  EXPECT_EQ(u.words(), (std::array<uint32_t, 4>{0xb4b5671e, 0x4a904fe1, 0xb81ffb13, 0xdae1dacb}));
}

TEST(Uuid, ParseAcceptsUpperCaseHex) {
  Uuid lower, upper;
  ASSERT_TRUE(Uuid::parse(kOpteeText, lower));
  ASSERT_TRUE(Uuid::parse("486178E0-E7F8-11E3-BC5E-0002A5D5C51B", upper));
  EXPECT_EQ(lower, upper);
}

TEST(Uuid, ParseRejectsMalformedTextAndLeavesTheOutputAlone) {
  const char* bad[] = {
      "",
      "486178e0e7f811e3bc5e0002a5d5c51b",       // no hyphens
      "486178e0-e7f8-11e3-bc5e-0002a5d5c51",    // one digit short
      "486178e0-e7f8-11e3-bc5e-0002a5d5c51b0",  // one digit long
      "486178e0-e7f8-11e3-bc5e_0002a5d5c51b",   // wrong separator
      "486178e0-e7f8-11e3-bc5e-0002a5d5c51g",   // not hex
      "486178e-0e7f8-11e3-bc5e-0002a5d5c51b",   // hyphen misplaced
  };
  for (const char* text : bad) {
    Uuid u = Uuid::from_words(1, 2, 3, 4);
    EXPECT_FALSE(Uuid::parse(text, u)) << text;
    EXPECT_EQ(u, Uuid::from_words(1, 2, 3, 4)) << text;
  }
}

TEST(Uuid, IsNullOnlyWhenAllSixteenBytesAreZero) {
  EXPECT_TRUE(Uuid{}.is_null());
  EXPECT_TRUE(Uuid::from_words(0, 0, 0, 0).is_null());
  EXPECT_FALSE(Uuid::from_words(0, 0, 0, 0x01000000).is_null());
  Uuid nil;
  ASSERT_TRUE(Uuid::parse("00000000-0000-0000-0000-000000000000", nil));
  EXPECT_TRUE(nil.is_null());
}

TEST(Uuid, EqualityComparesAllBytes) {
  EXPECT_EQ(Uuid::from_words(1, 2, 3, 4), Uuid::from_words(1, 2, 3, 4));
  EXPECT_NE(Uuid::from_words(1, 2, 3, 4), Uuid::from_words(1, 2, 3, 5));
}

}  // namespace
}  // namespace ffasim::ffa
