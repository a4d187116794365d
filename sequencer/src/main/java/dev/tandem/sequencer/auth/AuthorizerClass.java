package dev.tandem.sequencer.auth;

import java.lang.reflect.InvocationTargetException;

/**
 * Loads a team's own authorizer named by {@code --auth class:NAME}, so a custom integration (a
 * session store, an internal identity service) runs in the shipped server without a {@code main} of
 * its own: put the class's jar on the class path and name it.
 */
public final class AuthorizerClass {
  private AuthorizerClass() {}

  /**
   * An instance of {@code className}, made with its public constructor without parameters.
   *
   * @return it, if it is a {@link RoleAuthorizer}; adapted with {@link RoleAuthorizer#from} if it
   *     is an {@link Authorizer}
   * @throws IllegalArgumentException if the class is missing, has no such constructor, fails to
   *     construct, or is neither
   */
  public static RoleAuthorizer load(String className) {
    String setting = "--auth class:" + className;
    Class<?> type;
    try {
      type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException(
          setting + ": no such class on the class path (add its jar with java -cp)");
    }
    Object instance;
    try {
      instance = type.getConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          setting + ": the class needs a public constructor without parameters");
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          setting + ": its constructor failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(setting + ": cannot be made: " + e, e);
    }
    if (instance instanceof RoleAuthorizer roles) {
      return roles;
    }
    if (instance instanceof Authorizer authorizer) {
      return RoleAuthorizer.from(authorizer);
    }
    throw new IllegalArgumentException(
        setting
            + ": implements neither "
            + RoleAuthorizer.class.getName()
            + " nor "
            + Authorizer.class.getName());
  }
}
