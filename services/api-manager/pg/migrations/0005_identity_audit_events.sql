-- Identity changes join the one audit trail (audit_events, 0003), so ListAuditEvents shows users,
-- tokens and user groups next to apps. Rows written to identity_audit before this move over with
-- the RPC names the service uses now.
INSERT INTO audit_events (time, actor, action, object_kind, object_name, generation)
SELECT time, actor,
       CASE action
         WHEN 'user.create' THEN 'CreateUser' WHEN 'user.set_password' THEN 'UpdateUser'
         WHEN 'user.delete' THEN 'DeleteUser' WHEN 'token.create' THEN 'CreateToken'
         WHEN 'token.revoke' THEN 'RevokeToken' WHEN 'token.rotate' THEN 'RotateToken'
         WHEN 'user_group.create' THEN 'CreateUserGroup' WHEN 'user_group.update' THEN 'UpdateUserGroup'
         WHEN 'user_group.delete' THEN 'DeleteUserGroup' ELSE action END,
       object_kind, object_name, 0
FROM identity_audit ORDER BY id;
DROP TABLE identity_audit;
