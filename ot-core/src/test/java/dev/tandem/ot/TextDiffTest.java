package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TextDiffTest {
  @Test
  void examples() {
    assertEquals("retain 2, insert 'X', retain 3", TextDiff.between("hello", "heXllo").toString());
    assertEquals("retain 1, delete 3, retain 1", TextDiff.between("hello", "ho").toString());
    assertEquals("insert 'abc'", TextDiff.between("", "abc").toString());
    assertEquals("delete 3", TextDiff.between("abc", "").toString());
    assertEquals("retain 3", TextDiff.between("a😀b", "a😀b").toString());
    // edits at both ends keep the middle: a rebased edit in the middle stays where it was
    assertEquals(
        "insert 'S', retain 1, delete 1, retain 4, insert 'E', delete 1",
        TextDiff.between("axbcdez", "Sabcde" + "E").toString());
  }

  @Test
  void turnsOneTextIntoTheOtherWithCodePoints() {
    Random random = new Random(5);
    String[] alphabet = {"a", "b", "c", "😀", "𝒳", "\n"};
    for (int i = 0; i < 500; i++) {
      String from = randomText(random, alphabet);
      String to = randomText(random, alphabet);
      TextOperation op = TextDiff.between(from, to);
      assertEquals(to, op.apply(from), from + " -> " + to);
    }
  }

  @Test
  void aTooDifferentMiddleIsReplacedWhole() {
    String from = "x" + "ab".repeat(3000) + "y";
    String to = "x" + "ba".repeat(3000) + "z";
    assertEquals(to, TextDiff.between(from, to).apply(from));
  }

  private static String randomText(Random random, String[] alphabet) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(30);
    for (int i = 0; i < length; i++) {
      text.append(alphabet[random.nextInt(alphabet.length)]);
    }
    return text.toString();
  }
}
