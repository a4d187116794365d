package dev.tandem.sequencer.auth;

import static dev.tandem.sequencer.auth.Role.ADMIN;
import static dev.tandem.sequencer.auth.Role.READ;
import static dev.tandem.sequencer.auth.Role.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DocumentRolesTest {
  private static Map<String, Role> ordered(Object... patternsAndRoles) {
    Map<String, Role> map = new LinkedHashMap<>();
    for (int i = 0; i < patternsAndRoles.length; i += 2) {
      map.put((String) patternsAndRoles[i], (Role) patternsAndRoles[i + 1]);
    }
    return map;
  }

  @Test
  void aGlobMatchesTheWholeIdAndNothingElse() {
    DocPattern team42 = new DocPattern("team-42-*");
    assertTrue(team42.matches("team-42-a"));
    assertTrue(team42.matches("team-42-"));
    assertTrue(team42.matches("team-42-a-b"));
    assertFalse(team42.matches("team-4-a"));
    assertFalse(team42.matches("team-42"));
    assertFalse(team42.matches("xteam-42-a"));
    assertFalse(team42.matches("Team-42-a"));

    DocPattern oneChar = new DocPattern("v?.txt");
    assertTrue(oneChar.matches("v1.txt"));
    assertFalse(oneChar.matches("v.txt"));
    assertFalse(oneChar.matches("v12.txt"));

    assertTrue(new DocPattern("*").matches("anything:at@all~"));
    assertTrue(new DocPattern("a*b*c").matches("aXbYbZc"));
    assertFalse(new DocPattern("a*b*c").matches("aXbYbZ"));
    assertTrue(new DocPattern("handbook").matches("handbook"));
    assertFalse(new DocPattern("handbook").matches("handbook2"));
  }

  @Test
  void team42GrantsNothingOnTeam4() {
    DocumentRoles roles = DocumentRoles.of(Map.of("team-42-*", WRITE));
    assertEquals(Optional.of(WRITE), roles.roleFor("team-42-notes"));
    assertEquals(Optional.empty(), roles.roleFor("team-4-a"));
    assertEquals(Optional.empty(), roles.roleFor("team-420"));
  }

  @Test
  void aDocumentNoPatternMatchesHasNoRole() {
    DocumentRoles roles = DocumentRoles.of(Map.of("handbook", READ, "team-42-*", WRITE));
    assertEquals(Optional.empty(), roles.roleFor("payroll"));
    assertEquals(Optional.empty(), DocumentRoles.none().roleFor("handbook"));
  }

  @Test
  void anExactIdBeatsAnyGlob() {
    DocumentRoles roles = DocumentRoles.of(Map.of("handbook", READ, "hand*", ADMIN, "*", WRITE));
    assertEquals(Optional.of(READ), roles.roleFor("handbook"));
    assertEquals(Optional.of(ADMIN), roles.roleFor("handout"));
    assertEquals(Optional.of(WRITE), roles.roleFor("other"));
  }

  @Test
  void moreLiteralCharactersWin() {
    DocumentRoles roles =
        DocumentRoles.of(Map.of("*", READ, "team-*", WRITE, "team-42-*", ADMIN, "*-archive", READ));
    assertEquals(Optional.of(ADMIN), roles.roleFor("team-42-plan"));
    assertEquals(Optional.of(WRITE), roles.roleFor("team-7-plan"));
    // "*-archive" has 8 literal characters, "team-*" 5.
    assertEquals(Optional.of(READ), roles.roleFor("team-7-archive"));
    assertEquals(Optional.of(READ), roles.roleFor("elsewhere"));
  }

  @Test
  void fewerStarsThenMoreQuestionMarksWin() {
    DocumentRoles roles = DocumentRoles.of(Map.of("team-?", ADMIN, "team-*", READ));
    assertEquals(Optional.of(ADMIN), roles.roleFor("team-1"));
    assertEquals(Optional.of(READ), roles.roleFor("team-12"));

    DocumentRoles lengths = DocumentRoles.of(Map.of("a*??", WRITE, "a*?", READ));
    assertEquals(Optional.of(WRITE), lengths.roleFor("abc"));
    assertEquals(Optional.of(READ), lengths.roleFor("ab"));
  }

  @Test
  void equallySpecificPatternsResolveToTheLesserRoleWhateverTheirOrder() {
    DocumentRoles one = DocumentRoles.of(ordered("a*b", WRITE, "ab*", READ));
    DocumentRoles other = DocumentRoles.of(ordered("ab*", READ, "a*b", WRITE));
    assertEquals(Optional.of(READ), one.roleFor("abb"));
    assertEquals(Optional.of(READ), other.roleFor("abb"));
    assertEquals(one, other);
    assertEquals(Optional.of(WRITE), one.roleFor("axb"));
  }

  @Test
  void rolesIncludeTheLesserOnes() {
    assertTrue(ADMIN.includes(WRITE));
    assertTrue(ADMIN.includes(READ));
    assertTrue(WRITE.includes(READ));
    assertTrue(WRITE.includes(WRITE));
    assertFalse(READ.includes(WRITE));
    assertFalse(WRITE.includes(ADMIN));
  }

  @Test
  void theClaimAndTheCommandLineFormReadAlike() {
    DocumentRoles fromClaim =
        DocumentRoles.fromClaim(Map.of("team-42-*", "write", "handbook", "read"));
    assertEquals(fromClaim, DocumentRoles.parse("team-42-*=write,handbook=read"));
    assertEquals(fromClaim, DocumentRoles.fromClaim(fromClaim.toClaim()));
    assertEquals("{handbook=read, team-42-*=write}", fromClaim.toString());
  }

  @Test
  void anUnknownRoleOrAForeignCharacterIsRefused() {
    IllegalArgumentException role =
        assertThrows(
            IllegalArgumentException.class,
            () -> DocumentRoles.fromClaim(Map.of("secret", "owner", "*", "write")));
    assertEquals("role for pattern 'secret' is not read, write or admin", role.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DocumentRoles.fromClaim(Map.of("*", 3)));
    assertThrows(
        IllegalArgumentException.class, () -> DocumentRoles.fromClaim(Map.of("*", "Write")));
    IllegalArgumentException pattern =
        assertThrows(IllegalArgumentException.class, () -> new DocPattern("team/*"));
    assertTrue(pattern.getMessage().contains("character '/' at 4"), pattern.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DocPattern(""));
    assertThrows(IllegalArgumentException.class, () -> DocumentRoles.parse("handbook"));
    assertThrows(IllegalArgumentException.class, () -> DocumentRoles.parse("handbook=owner"));
  }
}
