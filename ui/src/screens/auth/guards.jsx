// Route guards: superuser-only screens send guests to sign-in (and back after), guest-only ones send superusers home.
import { Navigate, useLocation } from "react-router";
import { useSuperuser } from "../../lib/auth.jsx";

export function RequireSuperuser({ children }) {
  const user = useSuperuser();
  const location = useLocation();
  if (!user) {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return children;
}

export function GuestOnly({ children }) {
  const user = useSuperuser();
  const location = useLocation();
  if (user) {
    return <Navigate to={location.state?.from || "/collections"} replace />;
  }
  return children;
}
